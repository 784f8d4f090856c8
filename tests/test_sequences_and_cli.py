"""Label-sequence sampling and the command line."""

import subprocess
import sys

import numpy as np
import pytest

from keras_crnn.cli import main
from keras_crnn.datasets.sequences import assign_images


def test_assign_images_without_replacement_uses_each_image_once():
    labels = np.repeat(np.arange(4), 6)
    wanted = np.array([[(s + t) % 4 for t in range(4)] for s in (0, 1, 2, 3, 0, 1)])  # 6 per class
    idx = assign_images(labels, wanted, seed=0)
    np.testing.assert_array_equal(labels[idx], wanted)
    assert len(np.unique(idx)) == idx.size
    np.testing.assert_array_equal(idx, assign_images(labels, wanted, seed=0))  # seeded


def test_assign_images_shortage_is_explained():
    labels = np.array([0, 0, 1])
    with pytest.raises(ValueError, match="Class 1 has 1 images but the sequences need 2"):
        assign_images(labels, np.array([[0, 1], [0, 1]]))
    with pytest.raises(ValueError, match="No image has label 5"):
        assign_images(labels, np.array([[5]]))


def test_cli_version_info_list(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert main(["info", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"keras":' in out and '"backend": "tensorflow"' in out
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "crnn-convgru2d" in listing and "CRNN-4-S" in listing and "occlusion-table3" in listing


@pytest.mark.slow
def test_cli_silences_tensorflow_start_up_noise():
    out = subprocess.run(
        [sys.executable, "-m", "keras_crnn.cli", "info"], capture_output=True, text=True, check=True
    )
    assert "tensorflow:" in out.stdout
    assert "oneDNN custom operations" not in out.stderr
    assert "absl::InitializeLog" not in out.stderr
