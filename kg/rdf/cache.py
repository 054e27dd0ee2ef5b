"""A dump of the parsed graph per set of input files, so a second run does not parse Turtle.

The cache key is a hash of the bytes that are loaded (each file is read once, then hashed and
parsed from the same bytes, so a file swapped mid-build can never be filed under another
content's key), of this package's version and of pyoxigraph's. The first run streams the
quads of the strict parser straight into N-Quads (Oxigraph's own serializer), letting go of each
file's bytes once parsed, in a temporary folder that is renamed into place when complete, so a
crash never leaves a half-written dump that looks valid; it then loads the dump as later runs
do, so the bytes and the whole store are never in memory together. Runs load the dump into an
in-memory store with ``lenient=True``: safe because we wrote the file ourselves from terms the
strict parser had validated, and the marker records
the dump's size and checksum, so a cut-off or changed file is noticed and rebuilt. A folder that cannot be read is
removed and rebuilt, or named in the error if it cannot be removed; half-built entries of
processes that died are pruned.

Why a dump and not an on-disk (RocksDB) store: queries on the on-disk store ran 2 to 5 times
slower than in memory, so every query that takes longer than the parse was slower from the
cache (``benchmarks/query_paths.py`` measures the three paths). Loading N-Quads leniently
costs about 0.7 of parsing the Turtle, and queries then run at in-memory speed. The on-disk
store is still kept where it wins, for processes whose memory is capped (``kg serve``'s query
workers, see :func:`on_disk_store`): opened read-only it costs tens of MB at any size, where
the in-memory graph takes about 400 MB per million triples. Inputs smaller
than ``KG_CACHE_MIN_BYTES`` (1 MB by default) are parsed directly: there the dump saves less
than hashing costs.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.base.errors import KgError, one_line
from kg.base.version import __version__

if TYPE_CHECKING:
    from kg.rdf.files import RdfFile

KEEP_ENTRIES = 4
MARKER = "kg-cache.json"
DUMP = "graph.nq"
#: The on-disk store of the same inputs is cached under their key with this suffix.
ON_DISK_SUFFIX = "-store"
#: A leftover in the cache folder that no live process owns is removed after this many seconds.
ABANDONED_AFTER_SECONDS = 3600

Loader = Callable[[ox.Store, "RdfFile", dict[str, str]], None]


def cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/supernode-kg``, else ``~/.cache/supernode-kg``."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "supernode-kg"


def cache_key(rdf_files: Sequence[RdfFile]) -> str:
    """A hash of exactly the bytes that are loaded, with each file's syntax, in order."""
    import hashlib

    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"kg {__version__} pyoxigraph {getattr(ox, '__version__', '')}\n".encode())
    for rdf_file in rdf_files:
        digest.update(f"{rdf_file.rdf_format.file_extension} {len(rdf_file.data)}\0".encode())
        digest.update(rdf_file.data)
    return digest.hexdigest()


def is_cached(key: str) -> bool:
    """Whether an entry for ``key`` has been published (it may still turn out unreadable).

    Raises:
        KgError: the cache folder cannot be read (one line naming it, as other cache errors).
    """
    entry = cache_dir() / key
    try:
        return (entry / MARKER).is_file()
    except OSError as error:
        raise KgError(
            f"the cached graph {entry} cannot be read ({error.strerror or error}): make it "
            "readable or remove it, or run with --no-cache (or set KG_CACHE_DIR to a folder "
            "of your own)"
        ) from None


def open_cached(key: str) -> tuple[ox.Store, dict[str, str]] | None:
    """An in-memory store loaded from the dump cached under ``key``, and the prefixes the
    files declared; None if there is none (any more).

    An entry that cannot be read (a cut-off or damaged dump, a broken marker) is removed, so
    that the caller parses the files and publishes it again.

    Raises:
        KgError: the entry cannot be read and cannot be removed; the message names the folder.
    """
    entry = cache_dir() / key
    marker = entry / MARKER
    dump = entry / DUMP
    try:
        if not marker.is_file():
            return None
        import json

        recorded = json.loads(marker.read_text(encoding="utf-8"))
        prefixes = recorded["prefixes"]
        if not isinstance(prefixes, dict):
            raise ValueError("no prefixes in the marker")
        if dump.stat().st_size != recorded["dump_bytes"]:
            raise ValueError("the dump is not the size the marker records")
        if _checksum(dump) != recorded["dump_sha256"]:
            raise ValueError("the dump is not the one the marker records (its checksum differs)")
        store = ox.Store()
        # lenient: the dump was written by Oxigraph from a store of validated terms
        store.load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
    except (OSError, SyntaxError, ValueError, KeyError, TypeError) as error:
        _remove_unreadable(entry, error)
        return None
    with contextlib.suppress(OSError):  # another user's cache, read-only: still usable
        os.utime(marker)  # most recently used, for pruning
    return store, {str(p): str(n) for p, n in prefixes.items()}


def _checksum(dump: Path) -> str:
    """The SHA-256 digest of a dump, read in pieces: a dump changed without changing its size
    (a byte of a label, a quad overwritten by a comment) would otherwise load, leniently, and
    give wrong answers on every run until pruned. (SHA-256 runs in hardware here: 0.12 s for
    200 MB, where BLAKE2b took 0.22 s.)"""
    import hashlib

    digest = hashlib.sha256()
    with dump.open("rb") as stream:
        while piece := stream.read(1 << 20):
            digest.update(piece)
    return digest.hexdigest()


def _remove_unreadable(entry: Path, error: Exception) -> None:
    reason = getattr(error, "strerror", None) or one_line(error)[:120] or type(error).__name__
    try:
        _remove_tree(entry)
    except FileNotFoundError:
        return
    except OSError:
        raise KgError(
            f"the cached graph {entry} cannot be read ({reason}) nor removed: remove that folder, "
            "or run with --no-cache (or set KG_CACHE_DIR to a folder of your own)"
        ) from None


def on_disk_store(
    rdf_files: Sequence[RdfFile],
    load: Loader,
    finish: Callable[[ox.Store], object] | None = None,
    finish_name: str = "",
) -> tuple[ox.Store, dict[str, str]] | None:
    """The cached on-disk store of ``rdf_files`` opened read-only, and their prefixes, built
    with ``load`` (which streams each file into it), then ``finish``, if there is none yet;
    None when the cache folder cannot be written (the caller parses in memory). ``finish_name``
    is part of the entry's name: stores finished differently are different entries.

    Raises:
        KgError: a cache folder that cannot be read and cannot be removed (the message names it).
    """
    key = cache_key(rdf_files) + (f"-{finish_name}" if finish else "") + ON_DISK_SUFFIX
    return _open_on_disk(key) or _build_on_disk(key, rdf_files, load, finish)


def _open_on_disk(key: str) -> tuple[ox.Store, dict[str, str]] | None:
    entry = cache_dir() / key
    marker = entry / MARKER
    try:
        if not marker.is_file():
            return None
        import json

        prefixes = json.loads(marker.read_text(encoding="utf-8"))["prefixes"]
        if not isinstance(prefixes, dict):
            raise ValueError("no prefixes in the marker")
        store = ox.Store.read_only(str(entry / "store"))
    # RocksDB says Corruption with a RuntimeError
    except (OSError, RuntimeError, ValueError, KeyError, TypeError) as error:
        _remove_unreadable(entry, error)
        return None
    with contextlib.suppress(OSError):  # another user's cache, read-only: still usable
        os.utime(marker)  # most recently used, for pruning
    return store, {str(p): str(n) for p, n in prefixes.items()}


def _build_on_disk(
    key: str,
    rdf_files: Sequence[RdfFile],
    load: Loader,
    finish: Callable[[ox.Store], object] | None,
) -> tuple[ox.Store, dict[str, str]] | None:
    import json

    building = _new_build_folder(key)
    if building is None:
        return None
    try:
        store = ox.Store(str(building / "store"))
        prefixes: dict[str, str] = {}
        for rdf_file in rdf_files:
            load(store, rdf_file, prefixes)
        if finish is not None:
            finish(store)
        store.optimize()
        store.flush()
        del store
        (building / MARKER).write_text(
            json.dumps({"files": [str(f.path) for f in rdf_files], "prefixes": prefixes}),
            encoding="utf-8",
        )
        _move_into_place(building, key)
    except OSError:  # the disk filled up, or the folder went away: parse in memory instead
        _remove_tree(building, ignore_errors=True)
        return None
    except BaseException:
        _remove_tree(building, ignore_errors=True)
        raise
    return _open_on_disk(key)


def publish(
    key: str, quads: Iterable[ox.Quad], prefixes: dict[str, str], files: Sequence[Path]
) -> bool:
    """Write ``quads``, as they stream from the parser, as the N-Quads dump cached under
    ``key``: no store is built, so the first run holds no more than the files' bytes while it
    writes the dump, and the store loaded from the dump afterwards. ``prefixes`` may be filled
    while the quads stream; the marker records them once the last quad is written.

    Returns False when the cache folder cannot be written (the caller then parses the files into
    memory). An error while parsing (:class:`KgError`) leaves no entry behind and is raised.
    """
    import json

    building = _new_build_folder(key)
    if building is None:
        return False
    try:
        ox.serialize(quads, str(building / DUMP), format=ox.RdfFormat.N_QUADS)
        (building / MARKER).write_text(
            json.dumps(
                {
                    "files": [str(f) for f in files],
                    "prefixes": prefixes,
                    "dump_bytes": (building / DUMP).stat().st_size,
                    "dump_sha256": _checksum(building / DUMP),
                }
            ),
            encoding="utf-8",
        )
        _move_into_place(building, key)
    except OSError:  # the disk filled up, or the folder went away
        _remove_tree(building, ignore_errors=True)
        return False
    except BaseException:  # the input does not parse, or the user stopped kg: leave nothing
        _remove_tree(building, ignore_errors=True)
        raise
    return True


def _new_build_folder(key: str) -> Path | None:
    """An empty folder of this process beside the cache entries, where the entry for ``key`` is
    written before :func:`_move_into_place` renames it into place (so no reader ever sees a
    half-written entry); None when the cache folder cannot be written.

    Other runs' leftovers are pruned first, so the cache does not grow with every new key.
    """
    root = cache_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
        prune(root, keep=key)
        building = root / f".build.{os.getpid()}.{key}"
        _remove_tree(building, ignore_errors=True)
        building.mkdir()
    except OSError:
        return None
    return building


def _move_into_place(building: Path, key: str) -> None:
    """Publish the complete ``building`` folder as the entry for ``key`` in one rename."""
    try:
        building.rename(building.parent / key)
    except OSError:  # another process published the same key first: keep theirs
        _remove_tree(building, ignore_errors=True)


_BUILDING = re.compile(r"\.build\.(\d+)\.")


def prune(root: Path, keep: str) -> None:
    """Remove what other runs left behind: half-built entries and temporary files of processes
    that are gone, entries without a marker, and all but the most recently used entries."""
    now = time.time()
    complete = []
    for entry in root.iterdir():
        if entry.name == keep:
            continue
        if (entry / MARKER).is_file() and not entry.name.startswith("."):
            complete.append(entry)
        elif _abandoned(entry, now):
            _remove(entry)
    complete.sort(key=lambda p: _mtime(p / MARKER))
    for stale in complete[: max(0, len(complete) - (KEEP_ENTRIES - 1))]:
        _remove(stale)


def _abandoned(entry: Path, now: float) -> bool:
    building = _BUILDING.match(entry.name)
    if building and _process_alive(int(building.group(1))):
        return now - _mtime(entry) > 24 * 3600  # the pid was reused; no build takes a day
    if building:
        return True
    return (
        now - _mtime(entry) > ABANDONED_AFTER_SECONDS
    )  # strays of other versions (.tmp files, old builds)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else
    return True


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def _remove_tree(path: Path, *, ignore_errors: bool = False) -> None:
    """``shutil.rmtree``, imported when first needed: ``shutil`` costs milliseconds at start-up."""
    import shutil

    shutil.rmtree(path, ignore_errors=ignore_errors)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        _remove_tree(entry, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            entry.unlink()
