"""Online segmentation latency and the training cost of recurrence (RFCN paper).

Latency: one frame of CDnet's usual 240x320 through `StreamingSegmenter` in
window mode (the paper: the model on the last 3 frames, state from zero) and
stateful mode (one encoder pass and one ConvGRU step per frame), full-width
encoders; target stateful <= 0.5x window.
Training: one step of each recurrent model over its fully convolutional
counterpart on 3-frame windows (the recurrent one encodes all 3 frames, so
about 3x is the floor).
"""

import time
from pathlib import Path

import numpy as np

# The real video's test frames, when ../shared/data is there
HIGHWAY = Path(__file__).resolve().parents[2] / "shared" / "data" / "cdnet2014" / "baseline" / \
    "highway"
TITLE = "Video segmentation: streaming latency and the cost of recurrence"


def _frame_latency(segmenter, video, repeats):
    segmenter.segment(video[:4])  # warm up (tracing)
    times = []
    for _ in range(repeats):
        segmenter.reset()
        start = time.perf_counter()
        for frame in video:
            segmenter.step(frame)
        times.append((time.perf_counter() - start) / len(video))
    return float(np.median(times))


def run(repeats=5, batch=16):
    import keras

    from benchmarks.common import interleaved_medians
    from keras_crnn.models.segmentation import build_segmenter
    from keras_crnn.models.streaming import StreamingSegmenter

    rng = np.random.default_rng(0)
    shape = (240, 320, 3)
    if HIGHWAY.is_dir():  # real frames when the data is there (the cost is the same)
        from keras_crnn.datasets.cdnet import read_cdnet_video

        video, source = read_cdnet_video(HIGHWAY).frames[1500:1516], "CDnet highway test frames"
    else:
        video, source = rng.integers(0, 256, (16,) + shape).astype(np.uint8), "random frames"
    lines = [f"Streaming: {source}, {shape[0]}x{shape[1]}x3, window 3, full-width encoders, "
             f"median over {repeats} passes of {len(video)} frames.", ""]
    latency_rows = []
    for name in ("RFC-12s", "RFC-VGG"):
        model = build_segmenter(name, shape)
        window = _frame_latency(StreamingSegmenter(model, "window"), video, repeats)
        stateful = _frame_latency(StreamingSegmenter(model, "stateful"), video, repeats)
        latency_rows.append(f"| {name} | {window * 1e3:.1f} ({1 / window:.0f} fps) | "
                            f"{stateful * 1e3:.1f} ({1 / stateful:.0f} fps) | "
                            f"**{stateful / window:.2f}x** | "
                            f"{'met' if stateful <= 0.5 * window else 'NOT met'} |")
    lines += ["| model | window mode (ms/frame) | stateful (ms/frame) | ratio | target <= 0.5x |",
              "|---|---:|---:|---:|---|", *latency_rows, ""]

    train_shape = (96, 144, 3)  # the cpu scale's videos, encoder width 0.5
    pairs = [("FCN-12s", "RFC-12s", train_shape), ("FC-VGG", "RFC-VGG", train_shape),
             ("FC-Lenet", "RFC-Lenet", (32, 32, 1))]
    steps = {}
    for fcn_name, rnn_name, frame_shape in pairs:
        x = rng.random((batch, 3) + frame_shape, dtype=np.float32)
        for name in (fcn_name, rnn_name):
            keras.utils.set_random_seed(0)
            model = build_segmenter(name, frame_shape, width=0.5)
            y = rng.integers(0, 2, (batch,) + model.output_shape[1:]).astype(np.float32)
            model.compile(keras.optimizers.Adadelta(1.0), "binary_crossentropy")
            steps[name] = (lambda m=model, x=x, y=y: m.train_on_batch(x, y))
    seconds = interleaved_medians(steps, repeats)
    lines += [f"Training step at the cpu scale's sizes (96x144x3 videos and 32x32 digits, "
              f"encoder width 0.5), batch {batch}, Adadelta, median of {repeats} interleaved "
              "repetitions:", "",
              "| fully convolutional | ms | recurrent | ms | recurrent / FC |",
              "|---|---:|---|---:|---:|"]
    for fcn_name, rnn_name, _ in pairs:
        lines.append(f"| {fcn_name} | {seconds[fcn_name] * 1e3:.0f} | {rnn_name} | "
                     f"{seconds[rnn_name] * 1e3:.0f} | "
                     f"**{seconds[rnn_name] / seconds[fcn_name]:.1f}x** |")
    lines += ["", "RFC-Lenet's recurrent unit is a GRU with one unit per pixel on the "
              "flattened dense maps (32x32: 1024 units), so its ratio also pays for that GRU."]
    return {"title": TITLE, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run()["markdown"])
