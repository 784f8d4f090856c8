"""Test set-up: private home folders for Keras, matplotlib, Jupyter and the feature cache; quiet TF."""

import os
import tempfile

_HOME = tempfile.mkdtemp(prefix="keras_crnn_tests_")
for _var, _sub in [
    ("KERAS_HOME", "keras"),
    ("MPLCONFIGDIR", "matplotlib"),
    ("JUPYTER_CONFIG_DIR", "jupyter_config"),
    ("JUPYTER_DATA_DIR", "jupyter_data"),
    ("JUPYTER_RUNTIME_DIR", "jupyter_runtime"),
    ("IPYTHONDIR", "ipython"),
    ("KERAS_CRNN_CACHE", "keras_crnn_cache"),
]:
    os.environ[_var] = os.path.join(_HOME, _sub)
    os.makedirs(os.environ[_var], exist_ok=True)
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from keras_crnn.runtime import quiet_tensorflow_import  # noqa: E402

quiet_tensorflow_import()


import pytest  # noqa: E402


@pytest.fixture
def video_clips():
    """Runs `data_tools/video_clips.py ROOT --out OUT --group 8 --fps 4 --size S S`
    as a user would and returns the shards it wrote (`read_shards`)."""
    import subprocess
    import sys
    from pathlib import Path

    from keras_crnn.datasets import read_shards

    script = Path(__file__).parent.parent / "data_tools" / "video_clips.py"

    def run(root, out, size):
        subprocess.run([sys.executable, str(script), str(root), "--out", str(out), "--group",
                        "8", "--fps", "4", "--size", str(size), str(size)], check=True,
                       capture_output=True)
        return read_shards(out)

    return run


@pytest.fixture(scope="session")
def tiny_results(tmp_path_factory, worker_id):
    """Every experiment reproduced at most once per test run at the `tiny` scale
    (seconds each), in one folder of results files that the experiment and
    notebook tests read. With pytest-xdist the folder is shared by the workers
    and a lock per experiment makes the first worker that needs it run it.

    Returns:
        `get(name) -> (folder, ResultsTable)`.
    """
    from filelock import FileLock

    from keras_crnn.experiments import reproduce

    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "tiny_results"
    folder.mkdir(exist_ok=True)

    def get(name):
        with FileLock(str(folder / f"{name}.lock")):
            made = (folder / f"{name}.json").exists()
            return folder, reproduce(name, "tiny", out_dir=folder, reuse=made, progress=False)

    return get
