"""Training throughput of the future-appearance paper's CRNN at paper size: the
package's LSTM (inputs projected once) against the same network on Keras' LSTM.

Paper sizes: 4 frames of 32x16x3 in and out, batch 16, MSE, Adam, recurrent
dropout 0.3. Achieved GFLOP/s counts the multiply-adds of the convolutions,
the LSTM (17.1 M parameters, most of them on the 10752 flattened features)
and the Dense decoder (x2 FLOPs, x3 for forward + backward) against the
large-matmul rate of the same run and precision. Targets (issue 13): step
<= 0.65x the Keras-LSTM network's (float32, batch 16), >= 35 % of the ceiling.
"""

import numpy as np

TITLE = "Future appearance: training throughput of the paper's CRNN"


def run(repeats=7):
    import keras

    from benchmarks.common import (
        forward_flops_per_frame,
        interleaved_medians,
        matmul_gflops,
        with_keras_lstm,
    )
    from keras_crnn.models import build_model
    from keras_crnn.precision import precision

    rng = np.random.default_rng(0)
    data = {b: (rng.random((b, 4, 32, 16, 3), dtype=np.float32),
                rng.random((b, 4, 32, 16, 3), dtype=np.float32)) for b in (16, 64)}

    def compiled(model):
        model.compile(keras.optimizers.Adam(1e-3), "mse")
        return model

    keras.utils.set_random_seed(0)
    ours = build_model("forecast-CRNN", (4, 32, 16, 3))
    with precision("mixed_bfloat16"):
        ours_bf16 = build_model("forecast-CRNN", (4, 32, 16, 3))
    variants = {  # name: (model, batch, precision)
        "Keras LSTM (baseline)": (compiled(with_keras_lstm(ours)), 16, "float32"),
        "keras_crnn LSTM": (compiled(ours), 16, "float32"),
        "keras_crnn LSTM, mixed bfloat16": (compiled(ours_bf16), 16, "mixed_bfloat16"),
        "keras_crnn LSTM, mixed bfloat16, batch 64": (compiled(ours_bf16), 64,
                                                      "mixed_bfloat16"),
    }
    step = interleaved_medians(
        {n: (lambda m=m, b=b: m.train_on_batch(*data[b])) for n, (m, b, _) in variants.items()},
        repeats)
    ceilings = {"float32": matmul_gflops(), "mixed_bfloat16": matmul_gflops(dtype="bfloat16")}
    rows = []
    for name, (model, batch, dtype) in variants.items():
        flops = 3 * forward_flops_per_frame(model) * batch * 4
        rows.append(f"| {name} | {batch} | {step[name] * 1e3:.0f} | {batch / step[name]:.0f} | "
                    f"{flops / step[name] / 1e9:.0f} | "
                    f"{flops / step[name] / 1e9 / ceilings[dtype]:.0%} |")
    ratio = step["keras_crnn LSTM"] / step["Keras LSTM (baseline)"]
    share = 3 * forward_flops_per_frame(ours) * 16 * 4 / step["keras_crnn LSTM"] / 1e9 / \
        ceilings["float32"]
    epoch_minutes = 3463 / (16 / step["keras_crnn LSTM"]) / 60
    lines = [
        "The paper's CRNN (17,773,440 parameters, recurrent dropout 0.3), 4 frames of 32x16x3, "
        f"MSE, Adam, `train_on_batch`, median of {repeats} interleaved repetitions.",
        "",
        "| LSTM | batch | step (ms) | series/s | GFLOP/s | of matmul ceiling |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Large matmul in the same run: {ceilings['float32']:.0f} GFLOP/s float32, "
        f"{ceilings['mixed_bfloat16']:.0f} bfloat16.",
        "",
        f"**keras_crnn LSTM / Keras LSTM step time: {ratio:.2f}x** (target <= 0.65x: "
        f"{'met' if ratio <= 0.65 else 'NOT met'}), **{share:.0%} of the float32 ceiling** "
        f"(target >= 35 %: {'met' if share >= 0.35 else 'NOT met'}). One paper epoch (3463 "
        f"series) takes about {epoch_minutes:.1f} min in float32.",
    ]
    return {"title": TITLE, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run()["markdown"])
