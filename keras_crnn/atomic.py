"""All-or-nothing writes: a temporary file (or folder) beside the target, renamed into place.

Standard library only, so every part of the package (including the framework-free
`keras_crnn.datasets`) can use it.
"""

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path` with the same suffixes (`.weights.h5`).

    When the block finishes, the temporary file replaces `path` in one rename;
    when it raises (including KeyboardInterrupt), the temporary file is removed
    and `path` is left as it was. Missing parent folders are created. The new
    file gets the mode a plain `open()` would give it (the umask's), not the
    private mode of temporary files.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                               suffix="".join(path.suffixes) or ".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        if os.path.isfile(tmp):
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(path, replace=False):
    """Yields a new temporary folder beside `path`, to be filled.

    When the block finishes, the folder is renamed to `path` (an existing
    `path` is moved aside first and removed after, when `replace` is True);
    when it raises
    (including KeyboardInterrupt), the temporary folder is removed and `path`
    is left as it was. Missing parent folders are created.
    """
    import shutil

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        yield tmp
        old = None
        if replace and path.exists():  # moved aside, not deleted, until the new one is in
            old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old."))
            os.replace(path, old / path.name)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
