"""Writing files safely: every file `kg` writes goes to a temporary file first and is renamed
into place, so a failure (a full disk, an interrupted run) never leaves a half-written file."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

from kg.base.errors import KgError
from kg.base.input_limits import kind_of_file

T = TypeVar("T")


def write_atomically(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename it.

    Raises:
        KgError: the folder does not exist or cannot be written (the message names it), or
            ``path`` is there and is not a regular file (see :func:`refuse_special_target`);
            on any failure the target is left as it was and no temporary file remains.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_stream_atomically(path, lambda stream: stream.write(payload))
    return Path(path)


def write_stream_atomically(path: str | os.PathLike[str], write: Callable[[IO[bytes]], T]) -> T:
    """Call ``write(stream)`` on a temporary file beside ``path``, then rename it into place;
    return what ``write`` returned. The same guarantees as :func:`write_atomically`.

    Raises:
        KgError: as :func:`write_atomically`; or ``path`` is there and is not a regular file.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise KgError(f"{target}: cannot write: directory {folder} does not exist")
    refuse_special_target(target)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise KgError(f"{target}: cannot write: {error.strerror or error}") from None
    try:
        # mkstemp makes 0600: keep the mode of the file replaced (a private 0600 file stays
        # private), else honour the umask as a new file would
        os.chmod(temporary, _mode_of(target) or 0o666 & ~_current_umask())
        with os.fdopen(handle, "wb") as stream:
            result = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise KgError(f"{target}: cannot write: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result


def refuse_special_target(target: Path) -> None:
    """Refuse to replace anything but a regular file: a rename would swap a FIFO, a device
    (``/dev/full``, and as root ``/dev/null``) or a symbolic link for a plain file and report
    success, so only a regular file or a new path may be written.

    Raises:
        KgError: ``target`` is a symbolic link, FIFO, device, socket or directory.
    """
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise KgError(f"{target}: cannot write: {error.strerror or error}") from None
    if not stat.S_ISREG(mode):
        raise KgError(
            f"{target}: cannot write: it is {kind_of_file(mode)}, not a regular file; "
            "kg writes only regular files or new paths"
        )


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_of(target: Path) -> int | None:
    """The permission bits of the regular file ``target``; None when there is none."""
    try:
        status = os.stat(target)
    except OSError:
        return None
    return stat.S_IMODE(status.st_mode) if stat.S_ISREG(status.st_mode) else None
