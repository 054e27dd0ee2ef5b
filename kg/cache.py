"""A persistent Oxigraph store per set of input files, so a second run does not re-parse.

The cache key is a hash of the files' contents (in order), of this package's version and of
pyoxigraph's: any change to any input gives a new key. A store is built in a temporary folder
and renamed into place when complete, so a crash never leaves a half-built store that looks
valid; readers open it read-only, so several processes can share it.

Opening a store costs about 40 ms (RocksDB) while parsing the bundled graph (150 KB of Turtle)
takes about 5 ms, so inputs smaller than ``KG_CACHE_MIN_BYTES`` (1 MB by default) are parsed
directly; above it, parsing grows with size (4 s at a million triples) and the cache wins.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox

from kg import __version__

DEFAULT_MIN_BYTES = 1_000_000
KEEP_ENTRIES = 4


def cache_dir() -> Path:
    """``$KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/supernode-kg``, else ``~/.cache/supernode-kg``."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "supernode-kg"


def worth_caching(files: list[Path]) -> bool:
    """Whether the inputs are large enough for a cached store to beat parsing them."""
    try:
        threshold = int(os.environ.get("KG_CACHE_MIN_BYTES", DEFAULT_MIN_BYTES))
    except ValueError:
        threshold = DEFAULT_MIN_BYTES
    return sum(f.stat().st_size for f in files) >= threshold


def cache_key(files: list[Path]) -> str:
    import hashlib

    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"kg {__version__} pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else ''}\n".encode())
    for path in files:
        digest.update(path.suffix.encode() + b"\0")
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0\0")
    return digest.hexdigest()


def open_cached(files: list[Path]) -> tuple[ox.Store, dict[str, str]] | None:
    """The cached store for ``files`` and their prefixes, or None if there is none yet."""
    import json

    entry = cache_dir() / cache_key(files)
    marker = entry / "kg-cache.json"
    if not marker.is_file():
        return None
    try:
        prefixes = json.loads(marker.read_text(encoding="utf-8"))["prefixes"]
        store = ox.Store.read_only(str(entry / "store"))
    except (OSError, ValueError, KeyError):
        return None
    os.utime(marker)  # most recently used
    return store, prefixes


def build_cached(files: list[Path], parse) -> tuple[ox.Store, dict[str, str]] | None:  # type: ignore[no-untyped-def]
    """Parse ``files`` into a new on-disk store and publish it in the cache.

    ``parse(path, prefixes)`` yields the quads of one file. Returns the published store opened
    read-only, or None when the cache folder cannot be written (the caller parses in memory).
    """
    import json
    import shutil
    import tempfile

    root = cache_dir()
    key = cache_key(files)
    try:
        root.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
    except OSError:
        return None
    try:
        store = ox.Store(str(building / "store"))
        prefixes: dict[str, str] = {}
        for path in files:
            store.bulk_extend(parse(path, prefixes))
        store.optimize()
        store.flush()
        del store
        (building / "kg-cache.json").write_text(
            json.dumps({"files": [str(f) for f in files], "prefixes": prefixes}), encoding="utf-8")
        try:
            building.rename(root / key)
        except OSError:  # another process published the same key first: use theirs
            shutil.rmtree(building, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    _prune(root, keep=key)
    return open_cached(files)


def _prune(root: Path, keep: str) -> None:
    import shutil

    entries = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != keep]
    entries.sort(key=lambda p: (p / "kg-cache.json").stat().st_mtime if (p / "kg-cache.json").exists() else 0)
    for stale in entries[: max(0, len(entries) - (KEEP_ENTRIES - 1))]:
        shutil.rmtree(stale, ignore_errors=True)
