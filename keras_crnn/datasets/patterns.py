"""Label patterns and the integer program that packs images into patterned sequences.

Pattern families (occluded-sequence paper, §3.1):

- Digits (MNIST, CIFAR-10 labels): the 20 cyclic arithmetic progressions
  `(s + k t) mod 10` with start `s` in 0-9 and step `k` in {1, 2}, e.g.
  0-1-2-3-4, 5-6-7-8-9 (k=1), 0-2-4-6-8, 1-3-5-7-9 (k=2), 8-9-0-1-2.
- Letters (EMNIST): real six-letter American and Canadian city names
  (`CITY_NAMES`), e.g. B-O-S-T-O-N, M-I-L-T-O-N.

Longer sequences (Table 3) chain several base sequences: a T = 10 digit
sequence is two 5-digit patterns back to back.

`maximize_pattern_counts` solves, with scipy's MILP solver, how many sequences of
each pattern to build when every image is used at most once. Maximising the
count alone is degenerate (it can fill a split with two complementary patterns
such as 0-1-2-3-4 and 5-6-7-8-9), so a second stage keeps the count within
`tolerance` of the maximum while maximising the smallest per-pattern count, and
a third maximises the count again under that floor.
"""

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from keras_crnn.datasets.core import make_rng

CITY_NAMES = (
    # United States
    "albany", "austin", "aurora", "boston", "camden", "canton", "dallas", "dayton",
    "denver", "duluth", "eugene", "fresno", "irvine", "joliet", "laredo", "lowell",
    "mobile", "naples", "newark", "norman", "odessa", "orange", "oxnard", "peoria",
    "pueblo", "quincy", "renton", "sparks", "tacoma", "temple", "toledo", "tucson",
    # Canada
    "barrie", "dieppe", "dryden", "gander", "guelph", "kenora", "london", "milton",
    "nelson", "oshawa", "ottawa", "picton", "quebec", "regina", "sarnia", "sussex",
    "vernon", "whitby",
)


def digit_patterns(length=5, steps=(1, 2)):
    """The cyclic arithmetic digit patterns, int array `(10 * len(steps), length)`."""
    return np.array([[(s + k * t) % 10 for t in range(length)] for k in steps for s in range(10)])


def letter_patterns(names=CITY_NAMES):
    """City names as label arrays (a=0 ... z=25), int array `(len(names), 6)`."""
    if any(len(n) != 6 or not n.isalpha() for n in names):
        raise ValueError(f"City names must have six letters. Received: {names}")
    return np.array([[ord(c) - ord("a") for c in name.lower()] for name in names])


def _usage(patterns, classes):
    """`A[c, p]`: how many images of class c one sequence of pattern p uses."""
    return np.stack([(patterns == c).sum(1) for c in range(classes)]).astype(float)


def _solve(objective, constraints, num_vars, integrality):
    result = milp(
        objective,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(np.zeros(num_vars), np.full(num_vars, np.inf)),
    )
    if not result.success:
        raise RuntimeError(f"The pattern MILP failed: {result.message}")
    return np.round(result.x).astype(np.int64)


def maximize_pattern_counts(patterns, class_counts, tolerance=0.03):
    """How many sequences of each pattern to build from the available images.

    Args:
        patterns: int array `(num_patterns, length)` of labels.
        class_counts: images available per class, `(classes,)`.
        tolerance: the second stage may give up this fraction of the maximal
            count to make every pattern appear as often as possible.

    Returns:
        `(counts, info)`: int array `(num_patterns,)`, and a dict with
        `max_count` (stage 1 optimum), `count` (final total) and
        `min_per_pattern`.
    """
    patterns = np.asarray(patterns)
    supply = np.asarray(class_counts, float)
    if patterns.ndim != 2 or patterns.min() < 0 or patterns.max() >= len(supply):
        raise ValueError(
            f"`patterns` must be (num_patterns, length) with labels below {len(supply)}. "
            f"Received: shape={patterns.shape}, max label={patterns.max()}"
        )
    num = len(patterns)
    usage = _usage(patterns, len(supply))
    # Stage 1: the maximal number of sequences.
    stage1 = _solve(-np.ones(num), [LinearConstraint(usage, -np.inf, supply)], num, np.ones(num))
    best = int(stage1.sum())
    # Stage 2: variables (n_1..n_P, m); maximise m with n_p >= m and the count kept.
    floor_rows = np.hstack([np.eye(num), -np.ones((num, 1))])
    constraints = [
        LinearConstraint(np.hstack([usage, np.zeros((len(supply), 1))]), -np.inf, supply),
        LinearConstraint(floor_rows, 0, np.inf),
        LinearConstraint(np.append(np.ones(num), 0)[None], np.ceil((1 - tolerance) * best), np.inf),
    ]
    objective = np.append(np.zeros(num), -1.0)
    stage2 = _solve(objective, constraints, num + 1, np.ones(num + 1))
    floor = int(stage2[-1])
    # Stage 3: the maximal count again, every pattern at least `floor` times.
    counts = _solve(
        -np.ones(num),
        [LinearConstraint(usage, -np.inf, supply), LinearConstraint(np.eye(num), floor, np.inf)],
        num,
        np.ones(num),
    )
    return counts, {"max_count": best, "count": int(counts.sum()), "min_per_pattern": floor}


def patterned_label_sequences(patterns, counts, seed=0):
    """`counts[p]` copies of each pattern `p`, shuffled: int array `(sum, length)`."""
    rows = np.repeat(np.asarray(patterns), np.asarray(counts), axis=0)
    return make_rng(seed).permutation(rows)


def random_label_sequences(labels, count, length, seed=0):
    """Image indices for `count` sequences of distinct, randomly drawn images.

    Returns:
        `(label_sequences, indices)`, both int arrays `(count, length)`.
    """
    labels = np.asarray(labels)
    if count * length > len(labels):
        raise ValueError(
            f"{count} sequences of {length} distinct images need {count * length} "
            f"images. Received: {len(labels)} images"
        )
    indices = make_rng(seed).permutation(len(labels))[: count * length].reshape(count, length)
    return labels[indices], indices


def chain_sequences(arrays, factor):
    """Joins every `factor` consecutive sequences into one `factor` times longer.

    Args:
        arrays: arrays `(n, length, ...)` that share `n` (labels, indices, ...).
        factor: sequences per chain; the last `n % factor` are dropped.

    Returns:
        The arrays reshaped to `(n // factor, factor * length, ...)`.
    """
    out = []
    for a in arrays:
        a = np.asarray(a)
        keep = len(a) // factor * factor
        if keep == 0:
            raise ValueError(
                f"Chaining by {factor} needs at least {factor} sequences. Received: {len(a)}"
            )
        out.append(a[:keep].reshape((keep // factor, factor * a.shape[1]) + a.shape[2:]))
    return out
