"""Growing pine trees: a parametric, bracketed L-system rendered to image series.

The future-appearance paper grew its pines in L-studio, which is not available,
so this module grows its own. One individual = one draw of `PARAMETER_RANGES`
and one random stream. Year by year, the L-system

    A(y) -> I(y) [ +B ]^n A(y+1)      apex: internode, a whorl of n branches
    B(k) -> S(k) [ -C ] [ +C ] B(k+1)  branch: segment, two second-level shoots
    C(k) -> S(k) C(k+1)                second-level shoot

is expanded to 30 years. Every produced segment stores its birth year, so the
tree at age `a` is the set of segments born by year `a`, drawn with the widths
they have at age `a`. An older tree therefore grows out of the younger one:
nothing jumps between ages, and the structure only extends and thickens.

Parameters (drawn uniformly per individual; lengths in image heights):

| parameter | range | meaning |
|---|---|---|
| height_growth | 0.030-0.042 | first-year trunk growth |
| height_shrink | 0.000-0.030 | yearly relative decrease of trunk growth |
| diameter_growth | 0.0008-0.0016 | trunk radius added per year |
| diameter_shrink | 0.00-0.05 | yearly relative decrease of radius growth |
| needle_slope | 25-70 ° | angle between needles and their shoot |
| needle_length | 0.010-0.022 | |
| branch_angle | 45-85 ° | angle between trunk and a new branch |
| branch_slope | -2-6 ° | droop added per year along a branch |
| branch_growth | 0.012-0.026 | first-year branch growth |
| branch_shrink | 0.02-0.12 | yearly relative decrease of branch growth |
| second_level_shrink | 0.3-0.7 | second-level growth relative to its branch |
| branch_diameter | 0.25-0.5 | branch radius relative to the trunk's |
| crown_diameter | 0.55-1.0 | widest crown, as a share of the image width |
| branches_per_whorl | 3-6 | branches per yearly whorl (integer) |

Images are side views (orthographic projection of the 3-D tree), 32 rows x 16
columns x 3 by default, drawn at 4x resolution with numpy and box-filtered down
for anti-aliasing: brown wood and green needles on a pale sky.
"""

from dataclasses import dataclass

import numpy as np

from keras_crnn.datasets.core import make_rng

PARAMETER_RANGES = {
    "height_growth": (0.030, 0.042),
    "height_shrink": (0.0, 0.03),
    "diameter_growth": (0.0008, 0.0016),
    "diameter_shrink": (0.0, 0.05),
    "needle_slope": (25.0, 70.0),
    "needle_length": (0.010, 0.022),
    "branch_angle": (45.0, 85.0),
    "branch_slope": (-2.0, 6.0),
    "branch_growth": (0.012, 0.026),
    "branch_shrink": (0.02, 0.12),
    "second_level_shrink": (0.3, 0.7),
    "branch_diameter": (0.25, 0.5),
    "crown_diameter": (0.55, 1.0),
    "branches_per_whorl": (3, 6),
}
AGES = (10, 15, 20, 25, 30)
WOOD, NEEDLES, SKY = (96, 64, 40), (46, 110, 52), (226, 236, 244)
_SUPERSAMPLE = 4


def sample_parameters(rng):
    """One individual's parameters, each uniform in its `PARAMETER_RANGES` interval."""
    params = {k: float(rng.uniform(lo, hi)) for k, (lo, hi) in PARAMETER_RANGES.items()}
    low, high = PARAMETER_RANGES["branches_per_whorl"]
    params["branches_per_whorl"] = int(rng.integers(low, high + 1))
    return params


@dataclass
class Tree:
    """Segments of one individual grown to `max_age` years.

    Arrays of length `num_segments`: start and end points (x, z) in image
    heights (x = 0 on the trunk, z = 0 at the ground), `birth` year, `kind`
    (0 wood, 1 needles), `radius_rate` (radius added per year of age) and
    `rate_shrink`.
    """

    start: np.ndarray
    end: np.ndarray
    birth: np.ndarray
    kind: np.ndarray
    radius_rate: np.ndarray
    rate_shrink: np.ndarray
    params: dict


def _direction(theta, phi):
    """Projected (x, z) of a 3-D direction at `theta` from vertical, azimuth `phi`."""
    return np.stack([np.sin(theta) * np.cos(phi), np.cos(theta)], axis=-1)


def _turn(directions, angle):
    """Rotates projected (x, z) directions by `angle` radians."""
    c, s = np.cos(angle), np.sin(angle)
    return directions @ np.array([[c, s], [-s, c]])


def grow_tree(params, rng, max_age=30, aspect=0.5):
    """Expands the L-system for `max_age` years; see the module docstring.

    Vectorised: all branches of all whorls form one (branch, year) array.
    """
    p = params
    crown = p["crown_diameter"] * aspect / 2
    needle = np.deg2rad(p["needle_slope"])
    height = np.cumsum(p["height_growth"] * (1 - p["height_shrink"]) ** np.arange(max_age))
    trunk = np.concatenate([[0.0], height])

    # Whorls: n branches in every year from the second; segment k grows in year y + k.
    n = p["branches_per_whorl"]
    years = np.repeat(np.arange(2, max_age + 1), n)
    phi = np.repeat(rng.uniform(0, 2 * np.pi, max_age - 1), n) + np.tile(
        2 * np.pi * np.arange(n) / n, max_age - 1)
    jitter = rng.uniform(-8, 8, len(years))
    k = np.arange(max_age)
    valid = years[:, None] + k[None] <= max_age
    theta = np.deg2rad(p["branch_angle"] + jitter[:, None] + p["branch_slope"] * k[None])
    length = p["branch_growth"] * (1 - p["branch_shrink"]) ** k
    units = np.stack([np.sin(theta) * np.cos(phi)[:, None], np.cos(theta)], -1)
    base = np.stack([np.zeros(len(years)), trunk[years - 1]], -1)
    ends = base[:, None] + np.cumsum(units * length[None, :, None], axis=1)
    starts = np.concatenate([base[:, None], ends[:, :-1]], axis=1)
    # The crown's width stops a branch for good.
    keep = np.logical_and.accumulate(valid & (np.abs(ends[..., 0]) <= crown), axis=1)
    seg_start, seg_end, unit = starts[keep], ends[keep], units[keep]
    born = (years[:, None] + k[None])[keep]
    seg_length = np.broadcast_to(length, keep.shape)[keep]

    parts = [  # (start, end, birth, kind, radius rate)
        (np.stack([np.zeros(max_age), trunk[:-1]], -1), np.stack([np.zeros(max_age), trunk[1:]], -1),
         np.arange(1, max_age + 1), 0, p["diameter_growth"]),
        (seg_start, seg_end, born, 0, p["diameter_growth"] * p["branch_diameter"]),
    ]
    tips, tip_units, tip_birth = [seg_end], [unit], [born]
    for sign in (-1.0, 1.0):  # second-level shoots on both sides of every node
        shoot = _turn(unit, sign * 0.7)
        size = p["second_level_shrink"] * seg_length * np.minimum(max_age - born, 3)
        shoot_end = seg_end + shoot * size[:, None]
        parts.append((seg_end, shoot_end, born + 1, 0,
                      0.3 * p["diameter_growth"] * p["branch_diameter"]))
        tips.append(shoot_end)
        tip_units.append(shoot)
        tip_birth.append(born + 1)
    tips, tip_units, tip_birth = map(np.concatenate, (tips, tip_units, tip_birth))
    for sign in (-1.0, 1.0):  # needle tufts at every shoot tip
        parts.append((tips, tips + p["needle_length"] * _turn(tip_units, sign * needle),
                      tip_birth, 1, 0.0))
    start = np.concatenate([a for a, *_ in parts])
    return Tree(
        start,
        np.concatenate([b for _, b, *_ in parts]),
        np.concatenate([c for _, _, c, *_ in parts]).astype(int),
        np.concatenate([np.full(len(a), kind) for a, _, _, kind, _ in parts]),
        np.concatenate([np.full(len(a), rate) for a, *_, rate in parts]),
        np.full(len(start), p["diameter_shrink"]),
        dict(params),
    )


_MAX_WIDTH = 6
# Offsets of the round brush of radius 6 and, for each, the smallest brush radius
# r that covers it (dz² + dx² <= r² + r); brushes of smaller radii are prefixes.
_dz, _dx = np.mgrid[-_MAX_WIDTH : _MAX_WIDTH + 1, -_MAX_WIDTH : _MAX_WIDTH + 1]
_d2 = (_dz**2 + _dx**2).ravel()
_cover = np.searchsorted(np.arange(_MAX_WIDTH + 1) ** 2 + np.arange(_MAX_WIDTH + 1), _d2)
_order = np.argsort(_cover[_cover <= _MAX_WIDTH], kind="stable")
_BRUSH_DZ = _dz.ravel()[_cover <= _MAX_WIDTH][_order]
_BRUSH_DX = _dx.ravel()[_cover <= _MAX_WIDTH][_order]
_BRUSH_RADIUS = _cover[_cover <= _MAX_WIDTH][_order]
_BRUSH_SIZE = np.searchsorted(_BRUSH_RADIUS, np.arange(_MAX_WIDTH + 1), side="right")
del _dz, _dx, _d2, _cover, _order


def _sample_points(tree, size):
    """Pixel positions along every segment at the supersampled size (age-free)."""
    rows, cols = size[0] * _SUPERSAMPLE, size[1] * _SUPERSAMPLE
    scale = rows * 0.94  # image heights to pixels; the ground is 3 % above the bottom
    # Segments sorted by birth year: then the points alive at an age are a prefix.
    by_birth = np.argsort(tree.birth, kind="stable")
    start, end = tree.start[by_birth], tree.end[by_birth]
    x0 = cols / 2 + start[:, 0] * scale
    x1 = cols / 2 + end[:, 0] * scale
    z0 = rows * 0.97 - start[:, 1] * scale
    z1 = rows * 0.97 - end[:, 1] * scale
    samples = np.maximum(2, np.ceil(np.hypot(x1 - x0, z1 - z0) * 1.5).astype(int))
    segment = np.repeat(np.arange(len(samples)), samples)
    offsets = np.arange(samples.sum()) - np.repeat(np.cumsum(samples) - samples, samples)
    t = offsets / np.repeat(samples - 1, samples)
    px = np.rint(x0[segment] + t * (x1 - x0)[segment]).astype(int)
    pz = np.rint(z0[segment] + t * (z1 - z0)[segment]).astype(int)
    inside = (px >= 0) & (px < cols) & (pz >= 0) & (pz < rows)
    px, pz, segment = px[inside], pz[inside], by_birth[segment[inside]]
    # Flat positions on a canvas padded by the widest brush, so brushes need no clipping.
    flat = (pz + _MAX_WIDTH) * (cols + 2 * _MAX_WIDTH) + px + _MAX_WIDTH
    return flat, segment, tree.birth[segment], tree.kind[segment], scale


def render_ages(tree, ages, size=(32, 16), points=None):
    """The tree at each of `ages`: uint8 RGB images `(len(ages), rows, cols, 3)`.

    One pass for all ages: every brush pixel of every point is stamped once
    with the first of `ages` at which it is painted (the point is born and its
    segment is wide enough), and the image at age `ages[j]` shows the pixels
    stamped with `j` or earlier. Ages must be increasing.
    """
    rows, cols = size[0] * _SUPERSAMPLE, size[1] * _SUPERSAMPLE
    pad, count = _MAX_WIDTH, len(ages)
    width_padded = cols + 2 * pad
    flat, segment, birth, kind, scale = (
        points if points is not None else _sample_points(tree, size))
    # Brush radius of every segment at every age; radii only grow with age.
    years = np.asarray(ages)[:, None] - tree.birth[None] + 1
    shrink = np.maximum(tree.rate_shrink, 1e-9)
    alive = years > 0
    years = np.maximum(years, 0)
    if np.all(shrink == shrink[0]):  # one shrink rate per tree: a table of its powers
        decay = (1 - shrink[0]) ** np.arange(years.max() + 1)
        radius = tree.radius_rate * (1 - decay[years]) / shrink[0]
    else:
        radius = tree.radius_rate * (1 - (1 - shrink) ** years) / shrink
    width = np.clip(np.rint(radius * scale), 0, _MAX_WIDTH).astype(np.int8)
    # first[m, s]: index of the first age at which segment s paints with radius >= m.
    first = np.stack([(~(alive & (width >= m))).sum(0) for m in range(_MAX_WIDTH + 1)])
    first = first.astype(np.int8)
    born = np.searchsorted(birth, max(ages), side="right")
    flat, segment, kind = flat[:born], segment[:born], kind[:born]
    final_width = width[-1, segment]
    brush = _BRUSH_DZ * width_padded + _BRUSH_DX
    canvases = []
    for layer in (0, 1):  # wood, then needles drawn over it
        canvas = np.full((rows + 2 * pad) * width_padded, count, np.int8)
        pick = kind == layer
        for w in np.unique(final_width[pick]):
            chosen = pick & (final_width == w)
            stamps = brush[: _BRUSH_SIZE[w]]
            np.minimum.at(canvas, (flat[chosen, None] + stamps).ravel(),
                          first[_BRUSH_RADIUS[: _BRUSH_SIZE[w]][None], segment[chosen, None]].ravel())
        canvases.append(canvas.reshape(rows + 2 * pad, width_padded)[pad:-pad, pad:-pad])
    # Box-filter down: each output pixel mixes the colours by their share of its
    # supersampled pixels (needles over wood over sky).
    steps = np.arange(count)[:, None, None]
    wood, needles = (canvas[None] <= steps for canvas in canvases)
    blocks = (count, size[0], _SUPERSAMPLE, size[1], _SUPERSAMPLE)
    n_needles = needles.reshape(blocks).sum((2, 4), dtype=np.float32)[..., None]
    n_wood = (wood & ~needles).reshape(blocks).sum((2, 4), dtype=np.float32)[..., None]
    n_sky = _SUPERSAMPLE**2 - n_needles - n_wood
    small = (n_needles * np.float32(NEEDLES) + n_wood * np.float32(WOOD)
             + n_sky * np.float32(SKY)) / _SUPERSAMPLE**2
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)


def render(tree, age, size=(32, 16), points=None):
    """The tree at `age` as a uint8 RGB image `(rows, cols, 3)` (see `render_ages`)."""
    return render_ages(tree, (age,), size, points)[0]


def pine_series(count, ages=AGES, size=(32, 16), seed=0):
    """`count` individuals, each rendered at `ages`.

    Returns:
        `(images, params)`: uint8 `(count, len(ages), rows, cols, 3)` and a list
        of each individual's parameter dict.
    """
    ages = tuple(int(a) for a in ages)
    if count < 1 or not ages or min(ages) < 1 or list(ages) != sorted(ages):
        raise ValueError(f"Expected count >= 1 and increasing ages >= 1. Received: "
                         f"count={count}, ages={ages}")
    rng = make_rng(seed)
    images = np.empty((count, len(ages)) + tuple(size) + (3,), np.uint8)
    params = []
    for i in range(count):
        individual = np.random.default_rng(rng.integers(2**63))
        p = sample_parameters(individual)
        tree = grow_tree(p, individual, max_age=max(ages), aspect=size[1] / size[0])
        images[i] = render_ages(tree, ages, size)
        params.append(p)
    return images, params
