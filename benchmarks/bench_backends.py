"""ConvGRU2D against Keras' ConvLSTM2D, training step, on each installed Keras backend.

Each backend runs in its own process (KERAS_BACKEND is read at import); within a
process both layers are timed interleaved, so each backend's ratio is a one-run
ratio. Times across backends come from consecutive processes on the same machine.
Run alone with `python -m benchmarks.bench_backends`, or by `make bench`.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

TITLE = "ConvGRU2D vs ConvLSTM2D training step on TensorFlow, JAX and PyTorch"
BACKENDS = ("tensorflow", "jax", "torch")
CASES = [(16, 3, 16, 32), (16, 10, 16, 32)]  # (batch, time, size, channels)

_WORKER = """
import json, sys
import keras, numpy as np
from benchmarks.bench_conv_gru import _model
from benchmarks.common import interleaved_medians
from keras_crnn.layers import ConvGRU2D

repeats, filters = int(sys.argv[1]), 32
rows = []
for batch, steps, size, channels in json.loads(sys.argv[2]):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, steps, size, size, channels)).astype("float32")
    y = rng.normal(size=(batch, size, size, filters)).astype("float32")
    models = {"ConvLSTM2D": _model(keras.layers.ConvLSTM2D(filters, 3, padding="same"),
                                   x.shape[1:]),
              "ConvGRU2D": _model(ConvGRU2D(filters, 3, padding="same"), x.shape[1:])}
    medians = interleaved_medians(
        {n: (lambda m=m: m.train_on_batch(x, y)) for n, m in models.items()}, repeats)
    rows.append([[batch, steps, size, channels], medians["ConvLSTM2D"], medians["ConvGRU2D"]])
print("RESULT " + json.dumps(rows))
"""


def _installed(backend):
    return importlib.util.find_spec(backend) is not None


def run(repeats=9):
    root = Path(__file__).resolve().parent.parent
    rows, skipped = [], []
    for backend in BACKENDS:
        if not _installed(backend):
            skipped.append(backend)
            continue
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
        done = subprocess.run([sys.executable, "-c", _WORKER, str(repeats), json.dumps(CASES)],
                              env=env, cwd=root, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.split("RESULT ", 1)[1])
        for (batch, steps, size, channels), lstm, gru in result:
            rows.append(f"| {backend} | ({batch}, {steps}, {size}, {size}, {channels}) | "
                        f"{lstm * 1e3:.1f} | {gru * 1e3:.1f} | {gru / lstm:.2f}x |")
    lines = [
        f"32 filters, kernel 3, padding same, float32; one `train_on_batch` (forward + backward "
        f"+ SGD update), median of {repeats} interleaved repetitions, each backend in its own "
        "process with its default compilation (`tf.function`, `jax.jit`, eager torch).",
        "",
        "| backend | input | ConvLSTM2D (ms) | ConvGRU2D (ms) | ConvGRU2D / ConvLSTM2D |",
        "|---|---|---:|---:|---:|",
        *rows,
    ]
    if skipped:
        lines += ["", f"Not installed, skipped: {', '.join(skipped)} "
                      "(`pip install -e .[jax,torch]` or `make test-backends`)."]
    return {"title": TITLE, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run()["markdown"])
