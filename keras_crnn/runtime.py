"""Process set-up: a quiet TensorFlow import and a report of versions and devices."""

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
