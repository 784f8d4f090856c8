"""A crash-safe backup of a training run: `RunBackup` and the resume point it leaves.

`keras.callbacks.BackupAndRestore` overwrites `latest.weights.h5` in place and
then writes the epoch to a second file; a process killed during the first write
leaves an HDF5 file that cannot be opened (the run cannot resume), and one
killed between the two writes pairs the new weights with the old epoch.
`RunBackup` writes every epoch's weights (model and optimizer) to a new file,
then names it in `state.json` with one atomic rename, and only then removes the
previous file; whatever moment the process dies, `state.json` names a complete
file and the epoch it holds.

    backup = RunBackup("run/backup")
    start = backup.restore(model)          # 0 for a new run
    model.fit(..., initial_epoch=start, callbacks=[..., backup])

`InterruptBetweenBatches` makes Ctrl-C stop `fit` at the end of a batch, never
inside a checkpoint's write or an object's finalizer:

    with InterruptBetweenBatches() as interrupt:
        model.fit(..., callbacks=[..., interrupt])   # KeyboardInterrupt on Ctrl-C
"""

import json
import signal
import threading
from pathlib import Path

import keras

from keras_crnn.atomic import atomic_path

STATE_FILE = "state.json"


class RunBackup(keras.callbacks.Callback):
    """Saves the model and optimizer state at the end of every epoch, atomically.

    Put it last in the callback list: when it records epoch `k`, the other
    callbacks (history rows, best-model checkpoints) have finished epoch `k`.

    Args:
        backup_dir: folder of the backup; created when missing.
    """

    def __init__(self, backup_dir):
        super().__init__()
        self.backup_dir = Path(backup_dir)

    @property
    def epoch(self):
        """Epochs the backup holds (0 when there is none)."""
        state = self._state()
        return state["epoch"] if state else 0

    def _state(self):
        path = self.backup_dir / STATE_FILE
        if not path.is_file():
            return None
        try:
            state = json.loads(path.read_text())
            return {"epoch": int(state["epoch"]), "weights": str(state["weights"])}
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path} is not a backup state written by RunBackup "
                             f"(expected JSON with `epoch` and `weights`): {error}") from None

    def restore(self, model):
        """Loads the backed-up weights into `model` (built and compiled).

        Returns:
            The number of finished epochs, to pass to `fit` as `initial_epoch`
            (0, with `model` unchanged, when there is no backup).
        """
        state = self._state()
        if state is None:
            return 0
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(self.backup_dir / state["weights"])
        return state["epoch"]

    def on_epoch_end(self, epoch, logs=None):
        previous = self._state()
        name = f"epoch-{epoch + 1:05d}.weights.h5"
        with atomic_path(self.backup_dir / name) as tmp:
            self.model.save_weights(tmp)
        with atomic_path(self.backup_dir / STATE_FILE) as tmp:
            tmp.write_text(json.dumps({"epoch": epoch + 1, "weights": name}))
        if previous and previous["weights"] != name:
            (self.backup_dir / previous["weights"]).unlink(missing_ok=True)

    def delete(self):
        """Removes the backup (once the run's final model is safely written)."""
        import shutil

        shutil.rmtree(self.backup_dir, ignore_errors=True)


class InterruptBetweenBatches(keras.callbacks.Callback):
    """Ctrl-C during `fit` raises KeyboardInterrupt at the end of the running batch.

    Python raises KeyboardInterrupt wherever the main thread happens to be when
    SIGINT arrives: inside `ModelCheckpoint`'s write (a truncated `best.keras`)
    or inside an object's `__del__`, where Python only prints "Exception
    ignored" and training carries on. Inside `with InterruptBetweenBatches()`,
    the first Ctrl-C only sets a flag; the callback raises KeyboardInterrupt at
    the end of the current training or validation batch. A second Ctrl-C
    interrupts at once. On exit the previous SIGINT handler is back. Outside
    the main thread (where Python cannot install signal handlers) the context
    changes nothing and Ctrl-C behaves as usual.
    """

    def __init__(self):
        super().__init__()
        self.interrupted = False
        self._previous = None

    def __enter__(self):
        self.interrupted = False
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False

    def _on_sigint(self, signum, frame):
        if self.interrupted:  # the second Ctrl-C: now
            raise KeyboardInterrupt
        self.interrupted = True

    def _check(self):
        if self.interrupted:
            raise KeyboardInterrupt

    def on_train_batch_end(self, batch, logs=None):
        self._check()

    def on_test_batch_end(self, batch, logs=None):
        self._check()
