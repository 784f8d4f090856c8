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
"""

import json
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
