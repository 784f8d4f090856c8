"""Training throughput of the occlusion paper's CRNN and CNN, and whether the data
side keeps up.

Paper sizes: T = 5 frames of 28x28x1, batch 32, 10 classes. Achieved GFLOP/s
counts the multiply-adds of convolutions, LSTM and Dense layers (x2 FLOPs,
x3 for forward + backward) against the large-matmul rate of the same run.
Targets: the generator and the tf.data pipeline supply sequences at >= 10x
the rate training consumes them (issue 3); the CRNN on the package's LSTM
steps in <= 0.8x the time of the same network on Keras' LSTM (issue 13).
"""

import time

import numpy as np

TITLE = "Occluded sequences: training throughput and data supply"


def run(repeats=10, batch=32, steps=5):
    import keras

    from benchmarks.common import (
        forward_flops_per_frame,
        interleaved_medians,
        matmul_gflops,
        median_seconds,
        with_keras_lstm,
    )
    from keras_crnn import pipelines
    from keras_crnn.datasets import occluded_sequences as sequences
    from keras_crnn.models import build_model
    from keras_crnn.precision import precision

    rng = np.random.default_rng(0)
    x = rng.random((batch, steps, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, (batch, steps))
    def compiled(model):
        model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy")
        return model

    models = {}
    for name in ("CRNN", "CNN"):
        keras.utils.set_random_seed(0)
        models[name] = compiled(build_model(name, (steps, 28, 28, 1), 10))
    models["CRNN on Keras' LSTM (baseline)"] = compiled(with_keras_lstm(models["CRNN"]))
    with precision("mixed_bfloat16"):
        models["CRNN, mixed bfloat16"] = compiled(build_model("CRNN", (steps, 28, 28, 1), 10))
    step_seconds = interleaved_medians(
        {n: (lambda m=m: m.train_on_batch(x, y)) for n, m in models.items()}, repeats
    )
    ceiling = matmul_gflops()
    bf16_ceiling = matmul_gflops(dtype="bfloat16")

    # Data supply: the generator (glyphs, MILP, occlusion) and the tf.data pipeline.
    start = time.perf_counter()
    data = sequences.occlusion_data("digits", train_images=5000, test_images=500, seed=0)
    generated = len(data.train[1]) + len(data.validation[1]) + len(data.test[1])
    generator_rate = generated / (time.perf_counter() - start)
    ds = pipelines.make_dataset(*data.train, batch_size=batch, scale=1 / 255)
    pipeline_seconds = median_seconds(lambda: sum(1 for _ in ds), 3, warmup=1)
    pipeline_rate = len(data.train[1]) / pipeline_seconds

    rows, consume = [], max(batch / s for s in step_seconds.values())
    for name, seconds in step_seconds.items():
        flops = 3 * forward_flops_per_frame(models[name]) * batch * steps
        top = bf16_ceiling if "bfloat16" in name else ceiling
        rows.append(f"| {name} | {models[name].count_params():,} | {seconds * 1e3:.0f} | "
                    f"{batch / seconds:.0f} | {flops / seconds / 1e9:.0f} | "
                    f"{flops / seconds / 1e9 / top:.0%} |")
    ratio = step_seconds["CRNN"] / step_seconds["CRNN on Keras' LSTM (baseline)"]
    lines = [
        f"T={steps}, 28x28x1, batch {batch}, Adam, `train_on_batch`, median of {repeats} "
        "interleaved repetitions.",
        "",
        "| model | parameters | step (ms) | sequences/s | GFLOP/s | of matmul |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Large matmul in the same run: {ceiling:.0f} GFLOP/s float32, {bf16_ceiling:.0f} "
        "bfloat16 (the bfloat16 row's ceiling).",
        "",
        f"**CRNN (keras_crnn LSTM) / CRNN on Keras' LSTM: {ratio:.2f}x** (target <= 0.80x: "
        f"{'met' if ratio <= 0.8 else 'NOT met'}).",
        "",
        "| data side | sequences/s | x fastest training |",
        "|---|---:|---:|",
        f"| generator (glyphs + MILP + occlusion, from scratch) | {generator_rate:.0f} | "
        f"{generator_rate / consume:.1f}x |",
        f"| tf.data pipeline (shuffle, scale, batch) | {pipeline_rate:.0f} | "
        f"{pipeline_rate / consume:.1f}x |",
        "",
        f"Target >= 10x: generator {'met' if generator_rate >= 10 * consume else 'NOT met'}, "
        f"pipeline {'met' if pipeline_rate >= 10 * consume else 'NOT met'}. The generator "
        "runs once per experiment (its sequences are reused every epoch), so only the "
        "pipeline sits on the training path.",
    ]
    return {"title": TITLE, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run()["markdown"])
