"""`keras-crnn train --workers N`: data-parallel training in N processes (Keras'
DataParallel on JAX) trains like one process with the same global batch."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from keras_crnn import distributed
from keras_crnn.cli import main

needs_jax = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                               reason="JAX is not installed (`make test-backends` installs it)")


def test_cluster_reads_the_keras_distribution_variables():
    assert distributed.cluster({}) is None
    env = {distributed.ADDRESS: "10.0.0.1:1234", distributed.PROCESSES: "4",
           distributed.PROCESS_ID: "3"}
    assert distributed.cluster(env) == (4, 3)
    with pytest.raises(ValueError, match="without KERAS_DISTRIBUTION_PROCESS_ID"):
        distributed.cluster({**env, distributed.PROCESS_ID: ""})
    with pytest.raises(ValueError, match=r"must be in \[0, KERAS_DISTRIBUTION_NUM_PROCESSES\)"):
        distributed.cluster({**env, distributed.PROCESS_ID: "4"})
    with pytest.raises(ValueError, match="must be integers"):
        distributed.cluster({**env, distributed.PROCESSES: "four"})


def test_joining_needs_a_cluster_of_the_expected_size(monkeypatch):
    monkeypatch.delenv(distributed.PROCESSES, raising=False)
    with pytest.raises(ValueError, match="--workers 2"):
        distributed.join(2)
    monkeypatch.setenv(distributed.ADDRESS, "127.0.0.1:1")
    monkeypatch.setenv(distributed.PROCESSES, "3")
    monkeypatch.setenv(distributed.PROCESS_ID, "0")
    with pytest.raises(ValueError, match="workers=2, KERAS_DISTRIBUTION_NUM_PROCESSES=3"):
        distributed.join(2)


def test_workers_refuse_other_strategies_and_stray_cpu_devices(tmp_path, capsys):
    args = ["train", "CRNN-2-S", "--data", str(tmp_path), "--out", str(tmp_path / "run")]
    assert main(args + ["--workers", "2", "--strategy", "mirrored"]) == 2
    assert "not a tf.distribute strategy" in capsys.readouterr().err
    assert main(args + ["--cpu-devices", "2"]) == 2
    assert "--cpu-devices makes the replicas of --strategy mirrored" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_launch_stops_the_others_when_one_worker_fails():
    script = ("import os, sys, time\n"
              f"sys.exit(3) if os.environ['{distributed.PROCESS_ID}'] == '1' else time.sleep(60)")
    start = time.monotonic()
    assert distributed.launch([sys.executable, "-c", script], 2) == 3
    assert time.monotonic() - start < 30


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    # 160 sequences: 144 train (9 global batches of 16), 16 validate, so the
    # one-process run sees exactly the batches the two workers share
    out = tmp_path_factory.mktemp("data") / "occ"
    assert main(["generate", "occluded-digits", "--out", str(out), "--num", "160",
                 "--seq-len", "5"]) == 0
    return out


def _train_command(data_dir, out, epochs, workers):
    return [sys.executable, "-m", "keras_crnn.cli", "train", "CRNN-2-S", "--data", str(data_dir),
            "--out", str(out), "--epochs", str(epochs), "--batch-size", "16",
            "--workers", str(workers)]


def _history(run):
    import csv

    with open(run / "history.csv") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
@pytest.mark.workers  # `make test-backends` runs these, `make test` leaves them out
@needs_jax
def test_two_workers_train_like_one_process_with_the_same_global_batch(data_dir, tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    one, two = tmp_path / "one", tmp_path / "two"
    subprocess.run(_train_command(data_dir, one, 2, 1), env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(_train_command(data_dir, two, 2, 2), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    settings = json.loads((two / "run.json").read_text())
    assert settings["workers"] == 2 and settings["engine"] == distributed.ENGINE
    assert "workers" not in json.loads((one / "run.json").read_text())
    rows_one, rows_two = _history(one), _history(two)
    assert [r["epoch"] for r in rows_two] == ["0", "1"]
    for a, b in zip(rows_one, rows_two, strict=True):  # all-reduce order: float32 round-off
        for key in ("loss", "val_loss", "accuracy"):
            assert float(b[key]) == pytest.approx(float(a[key]), rel=1e-5), key
    assert (two / "model.keras").is_file() and not (two / "backup").exists()
    assert (two / "logs" / "worker-1.log").is_file()


def _worker(launcher_pid, process_id):
    """The pid of worker `process_id` among the launcher's children."""
    pid = launcher_pid
    children = open(f"/proc/{pid}/task/{pid}/children").read().split()
    for child in map(int, children):
        environ = open(f"/proc/{child}/environ", "rb").read().split(b"\0")
        if f"{distributed.PROCESS_ID}={process_id}".encode() in environ:
            return child
    raise LookupError(f"no worker {process_id} among {children}")


@pytest.mark.slow
@pytest.mark.workers
@needs_jax
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_a_worker_stops_the_run_and_the_same_command_resumes(data_dir, tmp_path):
    run, epochs = tmp_path / "run", 30
    command = _train_command(data_dir, run, epochs, 2)
    launcher = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
    state = run / "backup" / "state.json"
    deadline = time.monotonic() + 240
    while not (state.is_file() and json.loads(state.read_text())["epoch"] >= 1):
        assert launcher.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    os.kill(_worker(launcher.pid, 1), signal.SIGKILL)
    _, err = launcher.communicate(timeout=120)
    assert launcher.returncode != 0 and "run the same command again to resume" in err
    assert not (run / "model.keras").exists()
    done = len(_history(run))
    assert 1 <= done < epochs
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert [int(r["epoch"]) for r in _history(run)] == list(range(epochs))
    assert (run / "model.keras").is_file()
