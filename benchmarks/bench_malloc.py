"""Training steps under glibc's default malloc and under `runtime.MALLOC_TUNABLES`.

glibc reads its tunables once, when a process starts, so each setting runs in
processes of its own: default and tuned alternate (default, tuned, default,
tuned, ...) and each process reports the median of its timed steps, its user
and system CPU seconds and its minor page faults. The ratio is tuned / default
of the medians over processes, in one run. Target: the tuned step <= 0.8x the
default one for the occlusion CRNN at T=25 (the long sequences of Table 3).
Run alone with `python -m benchmarks.bench_malloc`, or by `make bench`.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

TITLE = "glibc malloc: default vs tuned for tensors"
# (model preset, batch, time): Table 3's longest sequences and Table 1's.
CASES = [("CRNN", 32, 25), ("CRNN", 32, 5)]

_WORKER = """
import json, resource, sys, time
import numpy as np
from keras_crnn.models import build_model

name, batch, steps, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(0)
x = rng.random((batch, steps, 28, 28, 1), dtype=np.float32)
y = rng.integers(0, 10, (batch, steps))
model = build_model(name, (steps, 28, 28, 1), 10)
model.compile("adam", "sparse_categorical_crossentropy")
for _ in range(2):
    model.train_on_batch(x, y)
before = resource.getrusage(resource.RUSAGE_SELF)
times = []
for _ in range(repeats):
    start = time.perf_counter()
    model.train_on_batch(x, y)
    times.append(time.perf_counter() - start)
after = resource.getrusage(resource.RUSAGE_SELF)
print("RESULT " + json.dumps({
    "step": float(np.median(times)),
    "user": after.ru_utime - before.ru_utime, "system": after.ru_stime - before.ru_stime,
    "faults_per_step": (after.ru_minflt - before.ru_minflt) / repeats}))
"""


def _environment(tuned):
    from keras_crnn.runtime import MALLOC_TUNABLES

    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    if tuned:
        env["GLIBC_TUNABLES"] = MALLOC_TUNABLES
    return env


def run(processes=2, repeats=5):
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return {"title": TITLE, "markdown": "Skipped: glibc's tunables exist on Linux only."}
    root = Path(__file__).resolve().parent.parent
    rows, ratios = [], {}
    for name, batch, steps in CASES:
        measured = {False: [], True: []}
        for _ in range(processes):
            for tuned in (False, True):
                done = subprocess.run(
                    [sys.executable, "-c", _WORKER, name, str(batch), str(steps), str(repeats)],
                    env=_environment(tuned), cwd=root, capture_output=True, text=True, check=True)
                measured[tuned].append(json.loads(done.stdout.split("RESULT ", 1)[1]))
        step = {t: statistics.median(r["step"] for r in m) for t, m in measured.items()}
        ratios[(name, steps)] = step[True] / step[False]
        for tuned, results in measured.items():
            user = sum(r["user"] for r in results)
            system = sum(r["system"] for r in results)
            faults = statistics.median(r["faults_per_step"] for r in results)
            rows.append(f"| {name} | ({batch}, {steps}, 28, 28, 1) | "
                        f"{'tuned' if tuned else 'default'} | {step[tuned] * 1e3:.0f} | "
                        f"{system / (user + system):.0%} | {faults:,.0f} |")
    long_ratio = ratios[("CRNN", 25)]
    lines = [
        f"One `train_on_batch` (Adam), median of {repeats} steps in each of {processes} "
        "processes per setting, default and tuned processes alternating. Tuned: "
        "`GLIBC_TUNABLES=<keras_crnn.runtime.MALLOC_TUNABLES>` (one arena, no mmap, no "
        "trimming), which `keras-crnn` and `make` set.",
        "",
        "| model | input | malloc | step (ms) | system CPU share | minor page faults / step |",
        "|---|---|---|---:|---:|---:|",
        *rows,
        "",
        *(f"- {name} T={steps}: tuned / default step {ratio:.2f}x"
          for (name, steps), ratio in ratios.items()),
        "",
        f"**CRNN T=25 tuned / default: {long_ratio:.2f}x** (target <= 0.80x: "
        f"{'met' if long_ratio <= 0.8 else 'NOT met'}).",
    ]
    return {"title": TITLE, "markdown": "\n".join(lines)}


if __name__ == "__main__":
    print(run()["markdown"])
