"""Process set-up: glibc's malloc tuned for tensors, a quiet TensorFlow import and a
report of versions and devices."""

import os
import platform
import re
import sys
import tempfile

# Start-up lines that TensorFlow's C++ runtime prints on every import. They are
# printed before absl logging is initialised, so TF_CPP_MIN_LOG_LEVEL does not
# hide them; everything else it prints is passed through.
_STARTUP_NOISE = re.compile(
    r"All log messages before absl::InitializeLog|oneDNN custom operations are on"
    r"|Unable to register cu(DNN|FFT|BLAS) factory|TF-TRT Warning|"
    r"This TensorFlow binary is optimized to use available CPU instructions"
    r"|To enable the following instructions|rebuild TensorFlow with the appropriate"
    r"|computation placer already registered|Could not find cuda drivers"
)


# glibc's default malloc serves every allocation above 32 MB (and many smaller ones,
# from its per-thread arenas) with a fresh mmap and returns it after use, so a
# training step that allocates the same large activations every time faults in
# every page of them anew: the occlusion CRNN at T=25 spent 40 % of its time in
# the kernel and stepped 1.9x slower (7.5 vs 3.8 s at batch 32; to be measured in
# one run by benchmarks/bench_malloc.py). One arena, no mmap and no
# trimming keep freed memory in the process for the next step; peak memory grows
# by what one step holds at most.
MALLOC_TUNABLES = ("glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0:"
                   "glibc.malloc.trim_threshold=68719476736")
_MALLOC_OPT_OUT = "KERAS_CRNN_MALLOC"  # "system" leaves malloc as it is


def malloc_environment(environ=None):
    """The environment with `MALLOC_TUNABLES` added to `GLIBC_TUNABLES`, or None
    when there is nothing to add.

    Nothing is added off Linux/glibc, when `KERAS_CRNN_MALLOC=system`, or when
    `GLIBC_TUNABLES` already sets any `glibc.malloc.*` tunable (the user's
    choice, or ours after a restart).
    """
    environ = os.environ if environ is None else environ
    if sys.platform != "linux" or platform.libc_ver()[0] != "glibc":
        return None
    if environ.get(_MALLOC_OPT_OUT, "").lower() == "system":
        return None
    current = environ.get("GLIBC_TUNABLES", "")
    if "glibc.malloc." in current:
        return None
    return {**environ, "GLIBC_TUNABLES": ":".join(filter(None, (current, MALLOC_TUNABLES)))}


def restart_with_tuned_malloc():
    """Re-executes this process with `malloc_environment()` when it adds anything.

    glibc reads its tunables once, at start-up, so the `keras-crnn` command
    calls this first, before TensorFlow is imported; a notebook or script sets
    `GLIBC_TUNABLES=<MALLOC_TUNABLES>` before Python starts instead (README).
    Does not return when it restarts.
    """
    environ = malloc_environment()
    if environ is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], environ)


def malloc_report(environ=None):
    """How malloc is set up in this process: "glibc tuned (keras_crnn)", "glibc
    default", "glibc (GLIBC_TUNABLES=...)" or the C library's name."""
    environ = os.environ if environ is None else environ
    libc = platform.libc_ver()[0] or "unknown C library"
    if libc != "glibc":
        return libc
    current = environ.get("GLIBC_TUNABLES", "")
    if MALLOC_TUNABLES in current:
        return "glibc tuned (keras_crnn)"
    if "glibc.malloc." in current:
        return f"glibc (GLIBC_TUNABLES={current})"
    return "glibc default"


def quiet_tensorflow_import():
    """Imports TensorFlow with its start-up log noise removed.

    Sets `TF_CPP_MIN_LOG_LEVEL=1` (INFO off, warnings and errors kept) unless
    the user set it, captures what the import writes to file descriptor 2, and
    writes back every line that is not known start-up noise. Does nothing if
    TensorFlow is already imported. Returns the module, or `None` when
    TensorFlow is not installed.
    """
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (e.g. some notebook kernels)
        saved = None
    with tempfile.TemporaryFile(mode="w+b") as capture:
        if saved is not None:
            os.dup2(capture.fileno(), 2)
        try:
            import tensorflow as tf
        except ImportError:
            tf = None
        finally:
            if saved is not None:
                sys.stderr.flush()
                os.dup2(saved, 2)
                os.close(saved)
        capture.seek(0)
        for line in capture.read().decode(errors="replace").splitlines():
            if line.strip() and not _STARTUP_NOISE.search(line):
                print(line, file=sys.stderr)
    return tf


def environment_report():
    """Versions of Python, TensorFlow, Keras and the backend, and the devices seen.

    Returns:
        A dict of strings and lists, printable as `keras-crnn info` does.
    """
    tf = quiet_tensorflow_import()
    import keras

    import keras_crnn

    report = {
        "keras_crnn": keras_crnn.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "tensorflow": tf.__version__ if tf is not None else "not installed",
        "cpus": os.cpu_count(),
        "malloc": malloc_report(),
        "devices": [],
    }
    if tf is not None:
        report["devices"] = [
            f"{d.device_type}: {d.name}" for d in tf.config.list_physical_devices()
        ]
        report["onednn"] = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)")
    return report


def split_cpu(devices):
    """Splits this machine's CPU into `devices` logical TensorFlow devices, so that
    `tf.distribute.MirroredStrategy` runs that many replicas without GPUs. Must run
    before TensorFlow places its first op."""
    if isinstance(devices, bool) or not isinstance(devices, int) or devices < 1:
        raise ValueError(f"`devices` must be a positive integer. Received: {devices!r}")
    tf = quiet_tensorflow_import()
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)])
    except RuntimeError as error:  # TensorFlow already placed an op
        raise RuntimeError(f"split_cpu({devices}) must run before TensorFlow starts: {error}") from None
