"""Training-step time of ConvGRU2D against Keras' ConvLSTM2D at equal sizes.

Targets (issue 13): ConvGRU2D / ConvLSTM2D step time <= 0.62x at (16, 3, 16,
16, 32) in float32, <= 0.72x at T=10, <= 0.55x with ConvGRU2D in mixed
bfloat16 (against ConvLSTM2D in float32). Run alone with
`python -m benchmarks.bench_conv_gru`, or with all benchmarks by `make bench`.
"""

import numpy as np

TITLE = "ConvGRU2D vs ConvLSTM2D training step"
# (batch, time, size, channels), float32 and mixed bfloat16 ConvGRU2D rows.
CASES = [(16, 3, 16, 32), (16, 10, 16, 32), (4, 3, 64, 32)]
TARGETS = {(16, 3, 16, 32, "float32"): 0.62, (16, 10, 16, 32, "float32"): 0.72,
           (16, 3, 16, 32, "mixed_bfloat16"): 0.55}


def _step_flops(batch, steps, size, channels, filters, kernel, gates):
    """Forward multiply-adds x2 of input and recurrent convs, x3 for backward."""
    per_pixel = kernel * kernel * (channels + filters) * gates * filters
    return 3 * 2 * batch * steps * size * size * per_pixel


def _model(layer, shape):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape), layer])
    model.compile(keras.optimizers.SGD(1e-3), "mse")
    return model


def run(repeats=9, filters=32, kernel=3):
    import keras

    from benchmarks.common import interleaved_medians, matmul_gflops
    from keras_crnn.layers import ConvGRU2D

    rng = np.random.default_rng(0)
    ceilings = {"float32": matmul_gflops(), "mixed_bfloat16": matmul_gflops(dtype="bfloat16")}
    rows, verdicts = [], []
    for batch, steps, size, channels in CASES:
        x = rng.normal(size=(batch, steps, size, size, channels)).astype("float32")
        y = rng.normal(size=(batch, size, size, filters)).astype("float32")
        models = {
            ("ConvLSTM2D", "float32"): _model(
                keras.layers.ConvLSTM2D(filters, kernel, padding="same"), x.shape[1:]),
            ("ConvGRU2D", "float32"): _model(ConvGRU2D(filters, kernel, padding="same"),
                                             x.shape[1:]),
            ("ConvGRU2D", "mixed_bfloat16"): _model(
                ConvGRU2D(filters, kernel, padding="same", dtype="mixed_bfloat16"), x.shape[1:]),
        }
        if (batch, steps, size) == CASES[0][:3]:
            models[("ConvLSTM2D", "mixed_bfloat16")] = _model(
                keras.layers.ConvLSTM2D(filters, kernel, padding="same", dtype="mixed_bfloat16"),
                x.shape[1:])
        medians = interleaved_medians(
            {key: (lambda m=m, x=x, y=y: m.train_on_batch(x, y)) for key, m in models.items()},
            repeats)
        base = medians[("ConvLSTM2D", "float32")]
        for (name, dtype), seconds in medians.items():
            gates = 3 if name == "ConvGRU2D" else 4
            gflops = _step_flops(batch, steps, size, channels, filters, kernel, gates) / 1e9
            ratio = seconds / base
            target = TARGETS.get((batch, steps, size, channels, dtype)) \
                if name == "ConvGRU2D" else None
            rows.append(f"| ({batch}, {steps}, {size}, {size}, {channels}) | {name} | {dtype} | "
                        f"{seconds * 1e3:.1f} | {ratio:.2f}x | {gflops / seconds:.0f} | "
                        f"{gflops / seconds / ceilings[dtype]:.0%} |")
            if target:
                verdicts.append(f"{ratio:.2f}x at T={steps} {dtype} (target <= {target:.2f}x: "
                                f"{'met' if ratio <= target else 'NOT met'})")
    lines = [
        f"{filters} filters, kernel {kernel}, padding same; one `train_on_batch` (forward + "
        f"backward + SGD update), median of {repeats} interleaved repetitions per input shape. "
        "Ratios are against Keras' ConvLSTM2D in float32 on the same input; ConvGRU2D uses its "
        "defaults (closed-form first step, unrolled short sequences).",
        "",
        "| input | layer | precision | step (ms) | / ConvLSTM2D fp32 | GFLOP/s | of matmul "
        "ceiling |",
        "|---|---|---|---:|---:|---:|---:|",
        *rows,
        "",
        f"Large matmul in the same run: {ceilings['float32']:.0f} GFLOP/s float32, "
        f"{ceilings['mixed_bfloat16']:.0f} bfloat16 (the ceiling of each precision's rows).",
        "",
        "**ConvGRU2D / ConvLSTM2D: " + "; ".join(verdicts) + ".**",
    ]
    return {"title": TITLE, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run()["markdown"])
