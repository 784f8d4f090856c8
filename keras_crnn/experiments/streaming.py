"""Streaming segmentation demo: an RFC-12s segments a video one frame at a time."""


def streaming_demo(scale="quick", seed=0, frames=24):
    """Streams a synthetic change-detection video through an RFC-12s in both
    modes of `keras_crnn.models.streaming.StreamingSegmenter`.

    The model is trained with the three-stage recipe on the first 80 % of the
    video (segmentation Table 2's settings at `scale`); the last `frames`
    frames are then segmented one at a time.

    Returns:
        dict with the streamed `frames` uint8 `(frames, rows, cols, 3)`, their
        `truth` (bool), the `window` and `stateful` masks (probabilities), and
        the milliseconds per frame of each mode (`window_ms`, `stateful_ms`).
    """
    import time

    from keras_crnn.datasets.segmentation_videos import change_detection_videos, video_splits
    from keras_crnn.experiments import EXPERIMENTS
    from keras_crnn.experiments.segmentation import WINDOW
    from keras_crnn.models import build_model
    from keras_crnn.models.streaming import StreamingSegmenter
    from keras_crnn.training import three_stage_recipe

    s = EXPERIMENTS["segmentation-table2"].settings(scale)
    video = change_detection_videos("synthetic", 1, s["video_length"], seed=seed)[0][0]
    train, validation, _, (lo, hi) = video_splits(video, WINDOW)
    shape = (WINDOW,) + video.frames.shape[1:]
    rfc = three_stage_recipe(
        build_model("FCN-12s", shape, width=s["width"]),
        lambda fcn: build_model("RFC-12s", shape, width=s["width"], fcn=fcn),
        train, validation, s["epochs"], s["batch_size"], seed, progress=False)
    start = max(lo, hi - frames)
    stream = video.frames[start:hi]
    out = {"frames": stream, "truth": video.groundtruth[start:hi] == 255}
    for mode in ("window", "stateful"):
        segmenter = StreamingSegmenter(rfc, mode)
        segmenter.segment(stream[:3])  # warm up
        begin = time.perf_counter()
        out[mode] = segmenter.segment(stream)
        out[f"{mode}_ms"] = 1e3 * (time.perf_counter() - begin) / len(stream)
    return out
