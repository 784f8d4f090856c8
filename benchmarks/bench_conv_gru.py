"""Training-step time of ConvGRU2D against Keras' ConvLSTM2D at equal sizes.

Target (issue 2): ConvGRU2D step time <= 0.7x ConvLSTM2D's. Run alone with
`python benchmarks/bench_conv_gru.py`, or with all benchmarks by `make bench`.
"""

import numpy as np

TITLE = "ConvGRU2D vs ConvLSTM2D training step"


def _step_flops(batch, steps, size, channels, filters, kernel, gates):
    """Forward multiply-adds x2 of input and recurrent convs, x3 for backward."""
    per_pixel = kernel * kernel * (channels + filters) * gates * filters
    return 3 * 2 * batch * steps * size * size * per_pixel


def run(repeats=15, batch=16, steps=3, size=16, channels=32, filters=32, kernel=3):
    import keras

    from benchmarks.common import interleaved_medians, matmul_gflops
    from keras_crnn.layers import ConvGRU2D

    rng = np.random.default_rng(0)
    x = rng.normal(size=(batch, steps, size, size, channels)).astype("float32")
    y = rng.normal(size=(batch, size, size, filters)).astype("float32")
    models = {}
    for name, layer in [
        ("ConvGRU2D", ConvGRU2D(filters, kernel, padding="same")),
        ("ConvLSTM2D", keras.layers.ConvLSTM2D(filters, kernel, padding="same")),
    ]:
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input(x.shape[1:]), layer])
        model.compile(keras.optimizers.SGD(1e-3), "mse")
        models[name] = model
    medians = interleaved_medians(
        {name: (lambda m=m: m.train_on_batch(x, y)) for name, m in models.items()}, repeats
    )
    ceiling = matmul_gflops()
    gates = {"ConvGRU2D": 3, "ConvLSTM2D": 4}
    rows = []
    for name, seconds in medians.items():
        gflops = _step_flops(batch, steps, size, channels, filters, kernel, gates[name]) / 1e9
        rows.append((name, seconds * 1e3, gflops / seconds, gflops / seconds / ceiling))
    ratio = medians["ConvGRU2D"] / medians["ConvLSTM2D"]
    lines = [
        f"Input ({batch}, {steps}, {size}, {size}, {channels}), {filters} filters, "
        f"kernel {kernel}, padding same; one `train_on_batch` (forward + backward + "
        f"SGD update), median of {repeats} interleaved repetitions.",
        "",
        "| layer | step (ms) | achieved GFLOP/s | of matmul ceiling |",
        "|---|---:|---:|---:|",
        *[f"| {n} | {ms:.1f} | {g:.1f} | {f:.1%} |" for n, ms, g, f in rows],
        "",
        f"Large float32 matmul in the same run: {ceiling:.0f} GFLOP/s.",
        "",
        f"**ConvGRU2D / ConvLSTM2D step time: {ratio:.2f}x** (target <= 0.70x: "
        f"{'met' if ratio <= 0.7 else 'NOT met'}).",
    ]
    return {"title": TITLE, "ratio": ratio, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run()["markdown"])
