"""Writing generated datasets: shards, manifest, atomicity, the generate command."""

import os
import stat

import numpy as np
import pytest

from keras_crnn.cli import main
from keras_crnn.datasets import read_shards, write_shards
from keras_crnn.datasets import writer as W


def _arrays(n=25):
    rng = np.random.default_rng(0)
    return {"frames": rng.integers(0, 255, (n, 3, 8, 8, 1), dtype=np.uint8),
            "labels": rng.integers(0, 10, (n, 3))}


def test_shards_round_trip(tmp_path):
    arrays = _arrays()
    manifest = write_shards(tmp_path / "d", arrays, shard_size=10, progress=False, source="test")
    assert manifest["shards"] == ["shard-00000.npz", "shard-00001.npz", "shard-00002.npz"]
    back = read_shards(tmp_path / "d")
    for key, value in arrays.items():
        np.testing.assert_array_equal(back[key], value)


def test_non_empty_folder_needs_force(tmp_path):
    write_shards(tmp_path, _arrays(), progress=False)
    with pytest.raises(FileExistsError, match="--force"):
        write_shards(tmp_path, _arrays(5), progress=False)
    write_shards(tmp_path, _arrays(5), shard_size=2, force=True, progress=False)
    assert len(read_shards(tmp_path)["labels"]) == 5
    assert len(list(tmp_path.glob("shard-*.npz"))) == 3  # old shards removed


def test_an_interrupted_write_leaves_the_folder_as_it_was(tmp_path, monkeypatch):
    calls = []
    original = np.savez

    def failing_savez(f, **arrays):
        calls.append(1)
        if len(calls) == 2:
            f.write(b"half a shard")
            raise KeyboardInterrupt
        return original(f, **arrays)

    out = tmp_path / "data"
    monkeypatch.setattr(W.np, "savez", failing_savez)
    with pytest.raises(KeyboardInterrupt):
        write_shards(out, _arrays(), shard_size=10, progress=False)
    assert list(tmp_path.iterdir()) == []  # no folder, no temporary leftovers
    monkeypatch.setattr(W.np, "savez", original)
    write_shards(out, _arrays(), shard_size=10, progress=False)
    old = read_shards(out)
    calls.clear()
    monkeypatch.setattr(W.np, "savez", failing_savez)
    with pytest.raises(KeyboardInterrupt):  # --force over a dataset, interrupted
        write_shards(out, {k: v[::-1] for k, v in _arrays().items()}, shard_size=10,
                     force=True, progress=False)
    assert [p.name for p in tmp_path.iterdir()] == ["data"]
    for key, array in read_shards(out).items():  # the old dataset, whole
        np.testing.assert_array_equal(array, old[key])


def test_bad_arrays_are_explained(tmp_path):
    with pytest.raises(ValueError, match="Received lengths"):
        write_shards(tmp_path, {"a": np.zeros(3), "b": np.zeros(4)}, progress=False)


def test_generate_command_end_to_end(tmp_path, capsys):
    out = tmp_path / "occ"
    assert main(["generate", "occluded-digits", "--out", str(out), "--num", "40",
                 "--seq-len", "10", "--shard-size", "16"]) == 0
    data = read_shards(out)
    assert data["frames"].shape == (40, 10, 28, 28, 1) and data["labels"].shape == (40, 10)
    assert main(["generate", "moving-digits", "--out", str(out), "--num", "3"]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["generate", "occluded-letters", "--out", str(tmp_path / "l"), "--num", "5",
                 "--seq-len", "10"]) == 2
    assert "error: Occluded letters sequences have lengths that are multiples of 6" in \
        capsys.readouterr().err
    assert not (tmp_path / "l").exists()  # nothing written


def test_atomic_path_replaces_only_on_success(tmp_path):
    from keras_crnn.atomic import atomic_path

    target = tmp_path / "sub" / "out.npz"
    with atomic_path(target) as tmp:
        assert tmp.suffix == ".npz" and tmp.parent == target.parent
        tmp.write_bytes(b"first")
    assert target.read_bytes() == b"first"
    umask = os.umask(0o022)
    try:  # the mode of a plain open(), not mkstemp's private 0o600
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"first")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert target.read_bytes() == b"first"  # untouched
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.npz"]  # no temp left


def test_atomic_folder_appears_whole_or_not_at_all(tmp_path):
    from keras_crnn.atomic import atomic_folder

    target = tmp_path / "sub" / "videos"
    with atomic_folder(target) as tmp:
        assert tmp.parent == target.parent and not target.exists()
        (tmp / "a.txt").write_text("first")
    assert (target / "a.txt").read_text() == "first"
    with pytest.raises(KeyboardInterrupt), atomic_folder(target, replace=True) as tmp:
        (tmp / "b.txt").write_text("half")
        raise KeyboardInterrupt
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]  # untouched
    assert sorted(p.name for p in target.parent.iterdir()) == ["videos"]  # no temp left
    with pytest.raises(OSError), atomic_folder(target) as tmp:  # no replace: refused
        (tmp / "b.txt").write_text("second")
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]
    with atomic_folder(target, replace=True) as tmp:
        (tmp / "b.txt").write_text("second")
    assert sorted(p.name for p in target.iterdir()) == ["b.txt"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["videos"]
