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


@pytest.fixture(scope="session")
def tiny_results(tmp_path_factory):
    """Every experiment reproduced once at the `tiny` scale (seconds each), in a
    folder of results files that the experiment and notebook tests read."""
    from keras_crnn.experiments import EXPERIMENTS, reproduce

    folder = tmp_path_factory.mktemp("tiny_results")
    tables = {name: reproduce(name, "tiny", out_dir=folder, progress=False)
              for name in EXPERIMENTS}
    return folder, tables
