"""Training throughput of the future-appearance paper's CRNN at paper size, and the
cost of its recurrent dropout.

Paper sizes: 4 frames of 32x16x3 in and out, batch 16, MSE, Adam. Achieved
GFLOP/s counts the multiply-adds of the convolutions, the LSTM (17.1 M
parameters, most of them on the 10752 flattened features) and the Dense
decoder (x2 FLOPs, x3 for forward + backward) against the large-matmul rate of
the same run. Recurrent dropout (0.3 in the paper) needs a fresh mask applied
inside the recurrence; the ratio below is the step time with it over the step
time without it.
"""

import numpy as np

TITLE = "Future appearance: training throughput of the paper's CRNN"


def run(repeats=8, batch=16):
    import keras

    from benchmarks.common import forward_flops_per_frame, interleaved_medians, matmul_gflops
    from keras_crnn.models import build_model

    rng = np.random.default_rng(0)
    x = rng.random((batch, 4, 32, 16, 3), dtype=np.float32)
    y = rng.random((batch, 4, 32, 16, 3), dtype=np.float32)
    variants = {"paper (recurrent dropout 0.3)": {},
                "recurrent dropout 0": {"recurrent_dropout": 0.0},
                "ConvGRU2D-forecaster": None, "ConvLSTM2D-forecaster": None}
    models = {}
    for name, overrides in variants.items():
        keras.utils.set_random_seed(0)
        if overrides is None:
            model = build_model(f"forecast-{name.split('-')[0]}", x.shape[1:])
        else:
            model = build_model("forecast-CRNN", x.shape[1:], **overrides)
        model.compile(keras.optimizers.Adam(1e-3), "mse")
        models[name] = model
    step_seconds = interleaved_medians(
        {n: (lambda m=m: m.train_on_batch(x, y)) for n, m in models.items()}, repeats)
    ceiling = matmul_gflops()
    rows = []
    for name, seconds in step_seconds.items():
        flops = 3 * forward_flops_per_frame(models[name]) * batch * 4
        counted = name.startswith(("paper", "recurrent"))  # conv-RNN FLOPs are not counted
        rows.append(
            f"| {name} | {models[name].count_params():,} | {seconds * 1e3:.0f} | "
            f"{batch / seconds:.0f} | "
            + (f"{flops / seconds / 1e9:.0f} | {flops / seconds / 1e9 / ceiling:.0%} |"
               if counted else " | |"))
    paper, without = step_seconds["paper (recurrent dropout 0.3)"], step_seconds["recurrent dropout 0"]
    epoch_minutes = 3463 / (batch / paper) / 60
    lines = [
        f"4 frames of 32x16x3, batch {batch}, MSE, Adam, `train_on_batch`, median of {repeats} "
        "interleaved repetitions.",
        "",
        "| model | parameters | step (ms) | series/s | GFLOP/s | of matmul |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Large float32 matmul in the same run: {ceiling:.0f} GFLOP/s.",
        "",
        f"Recurrent dropout costs **{paper / without:.2f}x** the step time without it. "
        f"One paper epoch (3463 series) takes about {epoch_minutes:.1f} min here, so the "
        f"paper's 95 epochs take about {95 * epoch_minutes / 60:.1f} h: the cpu scale trains "
        "10 (`keras_crnn.experiments.forecast.SCALES`).",
    ]
    return {"title": TITLE, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run()["markdown"])
