"""Data-parallel training in several processes: Keras' `DataParallel` on JAX.

Keras 3's `fit` does not run under tf.distribute's multi-worker strategy
(keras-team/keras#20585), so `keras-crnn train --workers N` uses the engine
that does: `keras.distribution.DataParallel` over the devices of every
process, on the JAX backend, with Gloo CPU collectives. Every process builds
the same model from the same seed, reads the same tf.data pipeline and feeds
its shard of every global batch (`DataParallel.distribute_dataset`); the
gradients are averaged across processes, so N workers train like one process
with the same global batch.

A cluster is described the way `keras.distribution.initialize` reads it, by
three environment variables on every host:

    KERAS_DISTRIBUTION_JOB_ADDRESSES   the coordinator, HOST:PORT (process 0's host)
    KERAS_DISTRIBUTION_NUM_PROCESSES   N
    KERAS_DISTRIBUTION_PROCESS_ID      0 .. N-1 (0 is the chief)

`launch` starts N such processes on this machine (coordinator on 127.0.0.1, a
free port). Process 0, the chief, writes the run folder; the others write their
checkpoints to scratch folders (saving is collective: every process must take
part) and read the chief's backup to resume, so on several hosts the run folder
must be on a shared file system.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ADDRESS = "KERAS_DISTRIBUTION_JOB_ADDRESSES"
PROCESSES = "KERAS_DISTRIBUTION_NUM_PROCESSES"
PROCESS_ID = "KERAS_DISTRIBUTION_PROCESS_ID"
ENGINE = "jax DataParallel (keras.distribution)"


def cluster(environ=None):
    """`(num_processes, process_id)` of the cluster this process belongs to,
    from the environment, or None when it is not a worker of one.

    Raises:
        ValueError: a partial or malformed cluster description.
    """
    environ = os.environ if environ is None else environ
    present = [name for name in (ADDRESS, PROCESSES, PROCESS_ID) if environ.get(name)]
    if not present:
        return None
    if len(present) < 3:
        missing = sorted({ADDRESS, PROCESSES, PROCESS_ID} - set(present))
        raise ValueError(f"A cluster needs {ADDRESS}, {PROCESSES} and {PROCESS_ID}. "
                         f"Received {', '.join(present)} without {', '.join(missing)}")
    try:
        processes, process_id = int(environ[PROCESSES]), int(environ[PROCESS_ID])
    except ValueError:
        raise ValueError(f"{PROCESSES} and {PROCESS_ID} must be integers. Received: "
                         f"{environ[PROCESSES]!r}, {environ[PROCESS_ID]!r}") from None
    if processes < 1 or not 0 <= process_id < processes:
        raise ValueError(f"{PROCESS_ID} must be in [0, {PROCESSES}). Received: "
                         f"{process_id} of {processes}")
    return processes, process_id


def join(workers):
    """Joins the cluster of the environment and makes `keras.distribution`
    data-parallel over all its devices. Call before building the model.

    Args:
        workers: the number of processes the caller expects (checked against
            the cluster's).

    Returns:
        This process's id (0: the chief).

    Raises:
        ValueError: no cluster in the environment, another number of
            processes, or a Keras backend other than JAX.
    """
    import keras

    described = cluster()
    if described is None:
        raise ValueError(f"workers={workers} trains in a cluster of {workers} processes: start "
                         f"them with `keras-crnn train ... --workers {workers}`, or set {ADDRESS}, "
                         f"{PROCESSES} and {PROCESS_ID} in each (see keras_crnn.distributed)")
    processes, process_id = described
    if processes != workers:
        raise ValueError(f"`workers` must equal the cluster's {PROCESSES}. Received: "
                         f"workers={workers}, {PROCESSES}={processes}")
    if keras.backend.backend() != "jax":
        raise ValueError(f"Multi-process training runs on the JAX backend (KERAS_BACKEND=jax). "
                         f"Received: {keras.backend.backend()}")
    import jax

    if not jax.distributed.is_initialized():
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
        keras.distribution.initialize()  # reads the three variables
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    return process_id


def replicas():
    """Devices a global batch is split across: those of the current
    `keras.distribution`, or 1."""
    import keras

    distribution = keras.distribution.distribution()
    return len(distribution.device_mesh.devices.flatten()) if distribution else 1


def free_port():
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(command, workers, log_dir=None, poll_seconds=0.2):
    """Runs `command` (an argv list) in `workers` local processes forming a
    cluster (JAX backend, coordinator on 127.0.0.1, a free port).

    The chief's output goes to this terminal; worker I's to
    `log_dir/worker-I.log` (or nowhere without `log_dir`). When one process
    fails, the others are stopped, so none waits forever for a lost peer.

    Returns:
        0 when every process succeeded, else the first failure's exit code
        (negative: the signal that ended it).
    """
    port = free_port()
    processes, logs = [], []
    try:
        for i in range(workers):
            env = {**os.environ, "KERAS_BACKEND": "jax", ADDRESS: f"127.0.0.1:{port}",
                   PROCESSES: str(workers), PROCESS_ID: str(i)}
            out = None
            if i:
                if log_dir is None:
                    out = subprocess.DEVNULL
                else:
                    Path(log_dir).mkdir(parents=True, exist_ok=True)
                    out = open(Path(log_dir) / f"worker-{i}.log", "w")  # noqa: SIM115
                    logs.append(out)
            processes.append(subprocess.Popen(command, env=env, stdout=out,
                                              stderr=subprocess.STDOUT if i else None))
        while True:
            codes = [p.poll() for p in processes]
            failed = [(i, c) for i, c in enumerate(codes) if c not in (None, 0)]
            if failed:
                i, code = failed[0]
                print(f"keras-crnn: worker {i} exited with code {code}; stopping the others",
                      file=sys.stderr)
                return code
            if all(c == 0 for c in codes):
                return 0
            time.sleep(poll_seconds)
    finally:
        _stop(processes)
        for f in logs:
            f.close()


def _stop(processes, grace_seconds=10):
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    for p in processes:
        try:
            p.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
