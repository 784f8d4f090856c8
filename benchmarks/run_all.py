"""Runs every benchmark and rewrites BENCHMARKS.md in one go (`make bench`).

All numbers in BENCHMARKS.md therefore come from one run on one machine; each
benchmark reports ratios measured within that run, never absolute targets.
"""

import datetime
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from keras_crnn.atomic import atomic_path  # noqa: E402
from keras_crnn.runtime import environment_report  # noqa: E402

BENCHMARKS = ["benchmarks.bench_conv_gru", "benchmarks.bench_backends", "benchmarks.bench_malloc",
              "benchmarks.bench_occlusion", "benchmarks.bench_lsystem",
              "benchmarks.bench_forecast", "benchmarks.bench_segmentation"]


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _vector_units():
    """The CPU's matmul-relevant instruction sets (bfloat16 speed depends on them)."""
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    wanted = ("avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16")
    have = [f for f in wanted if f in flags]
    missing = [f for f in wanted if f not in flags]
    return ", ".join(have) + (f" (no {', '.join(missing)})" if missing else "")


def _memory_gib():
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return f"{pages * size / 2**30:.0f} GiB"
    except (ValueError, OSError):
        return "unknown"


def main():
    import importlib

    report = environment_report()
    sections = []
    for module_name in BENCHMARKS:
        print(f"running {module_name} ...", flush=True)
        result = importlib.import_module(module_name).run()
        sections.append(f"## {result['title']}\n\n`python -m {module_name}`\n\n{result['markdown']}\n")
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (benchmarks/run_all.py); every number below is from",
        "the same run. Ratios are the targets; absolute times depend on the machine.",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')}",
        f"- machine: {report['cpus']} CPU cores ({_cpu_model()}), {_memory_gib()}, "
        f"devices: {', '.join(report['devices']) or 'none'}; instruction sets: {_vector_units()}",
        f"- versions: Python {report['python']}, TensorFlow {report['tensorflow']}, "
        f"Keras {report['keras']} (backend {report['backend']}), keras_crnn "
        f"{report['keras_crnn']}; oneDNN {report.get('onednn')}, XLA off",
        "- command: `make bench`",
        "",
    ]
    out = ROOT / "BENCHMARKS.md"
    with atomic_path(out) as tmp:  # never a half-written BENCHMARKS.md
        tmp.write_text("\n".join(header) + "\n" + "\n".join(sections))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
