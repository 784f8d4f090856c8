"""Shared pieces of every generator and reader: seeding, checks, splits, windows.

Framework-free: numpy only.
"""

import numpy as np


def make_rng(seed):
    """`np.random.default_rng(seed)`, passing an existing Generator through."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (bool, float)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(
            "`seed` must be an integer (generators are always seeded) or a "
            f"numpy Generator. Received: seed={seed!r}"
        )
    return np.random.default_rng(int(seed))


def check_images(images, name="images"):
    """Checks a uint8 image array `(n, rows, cols, channels)` and returns it.

    Raises:
        ValueError: wrong rank, dtype or an empty array, naming what came.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            f"`{name}` must have shape (n, rows, cols, channels). "
            f"Received: {name}.shape={images.shape}"
        )
    if images.dtype != np.uint8:
        raise ValueError(f"`{name}` must be uint8 (0-255). Received: {name}.dtype={images.dtype}")
    if len(images) == 0:
        raise ValueError(f"`{name}` is empty. Received: {name}.shape={images.shape}")
    return images


def check_sequences(sequences, name="sequences", min_length=1):
    """Checks an image-sequence array `(n, time, rows, cols, channels)`."""
    sequences = np.asarray(sequences)
    if sequences.ndim != 5:
        raise ValueError(
            f"`{name}` must have shape (n, time, rows, cols, channels). "
            f"Received: {name}.shape={sequences.shape}"
        )
    if sequences.shape[0] == 0 or sequences.shape[1] < min_length:
        raise ValueError(
            f"`{name}` needs at least one sequence of at least {min_length} frames. "
            f"Received: {name}.shape={sequences.shape}"
        )
    return sequences


def check_frames(frames, name="frames", min_length=1):
    """Checks frames in the dataset format every model entry point takes: uint8
    `(n, time, rows, cols, channels)` with values 0-255. Other integer arrays
    within 0-255 are converted (losslessly); anything else is refused, so that
    frames already scaled to [0, 1] are never scaled again.

    Raises:
        ValueError: wrong rank, an empty array, floats, booleans or integers
            outside 0-255, naming what came.
    """
    frames = check_sequences(frames, name, min_length)
    if frames.dtype == np.uint8:
        return frames
    if np.issubdtype(frames.dtype, np.integer):
        low, high = int(frames.min()), int(frames.max())
        if 0 <= low and high <= 255:
            return frames.astype(np.uint8)
        received = f"{frames.dtype} with values in [{low}, {high}]"
    elif np.issubdtype(frames.dtype, np.floating):
        finite = np.isfinite(frames)
        received = (f"{frames.dtype} with values in [{np.nanmin(frames):g}, "
                    f"{np.nanmax(frames):g}]" if finite.any() else f"{frames.dtype}")
        if not finite.all():
            received += f" and {int((~finite).sum())} NaN or infinite values"
        else:
            received += " (frames scaled to [0, 1]? store round(255 * frames) as uint8)"
    else:
        received = str(frames.dtype)
    raise ValueError(f"`{name}` must be uint8 frames with values 0-255. Received: {received}")


def split_indices(n, fractions=(0.8, 0.1, 0.1), seed=0):
    """Shuffles `range(n)` with `seed`, then cuts it by `fractions`.

    Args:
        n: number of items.
        fractions: positive fractions summing to 1 (e.g. train/val/test).
        seed: int seed of the shuffle.

    Returns:
        A list of index arrays, one per fraction, disjoint and covering all items
        (rounding goes to the last part).
    """
    fractions = tuple(float(f) for f in fractions)
    if not fractions or min(fractions) <= 0 or abs(sum(fractions) - 1.0) > 1e-6:
        raise ValueError(
            f"`fractions` must be positive and sum to 1. Received: fractions={fractions}"
        )
    if n < len(fractions):
        raise ValueError(f"Cannot split {n} items into {len(fractions)} parts. Received: n={n}")
    order = make_rng(seed).permutation(n)
    cuts = np.floor(np.cumsum(fractions)[:-1] * n).astype(int)
    return list(np.split(order, cuts))


def split_arrays(arrays, fractions=(0.8, 0.1, 0.1), seed=0):
    """`split_indices` applied to arrays sharing their first axis.

    Returns:
        A list with, per part, a tuple of the arrays' rows in that part.
    """
    arrays = [np.asarray(a) for a in arrays]
    lengths = {len(a) for a in arrays}
    if len(lengths) != 1:
        raise ValueError(
            "Arrays to split must have the same length. "
            f"Received lengths: {[len(a) for a in arrays]}"
        )
    return [tuple(a[idx] for a in arrays) for idx in split_indices(lengths.pop(), fractions, seed)]


def sliding_windows(sequences, window, stride=1):
    """Windows of `window` frames every `stride` frames, as views (no copy).

    Args:
        sequences: `(n, time, ...)`.
        window: frames per window, at most `time`.
        stride: step between window starts.

    Returns:
        `(n * num_windows, window, ...)` with `num_windows = (time - window) //
        stride + 1`, ordered by sequence, then start.
    """
    sequences = np.asarray(sequences)
    if sequences.ndim < 2:
        raise ValueError(f"`sequences` must be (n, time, ...). Received: shape={sequences.shape}")
    time = sequences.shape[1]
    if not isinstance(window, (int, np.integer)) or window < 1 or window > time:
        raise ValueError(
            f"`window` must be an integer in [1, time={time}]. Received: window={window!r}"
        )
    if not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"`stride` must be a positive integer. Received: stride={stride!r}")
    views = np.lib.stride_tricks.sliding_window_view(sequences, window, axis=1)[:, ::stride]
    # sliding_window_view puts the window axis last; move it after the window index.
    views = np.moveaxis(views, -1, 2)
    return views.reshape((-1, window) + sequences.shape[2:])


def window_starts(time, window, stride=1):
    """Start frames of the windows `sliding_windows` takes from `time` frames."""
    for name, value in (("window", window), ("stride", stride)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                or value < 1:
            raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value!r}")
    if window > time:
        raise ValueError(
            f"A window of {window} frames does not fit sequences of {time} frames. "
            f"Received: window={window}, time={time}"
        )
    return np.arange(0, time - window + 1, stride)
