"""Limits on the files `kg` reads, which may come from anyone: what is refused, and why.

Every RDF and query file is read here, once, and refused with one line naming the file and
the rule when it breaks one:

- only regular files are read (a FIFO would block for ever, ``/dev/zero`` never ends), and
  each kind has a size cap;
- a UTF-8 byte order mark at the start is accepted and dropped;
- RDF/XML may declare DTD entities only as plain text whose expansion stays small: an entity
  that refers to another (the "billion laughs") or to an outside resource is refused;
- JSON-LD and RDF/XML may nest at most :data:`MAX_NESTING` levels (pyoxigraph's parsers
  recurse: 5,000 levels of JSON-LD overflow the stack, and deep RDF/XML parses in quadratic time).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import TypeVar

from kg.base.errors import KgError

#: Bytes as read: bytes, or a bytearray when decompressed.
Buffer = TypeVar("Buffer", bytes, bytearray)
UTF8_BOM = b"\xef\xbb\xbf"

#: The largest RDF file read (override with ``KG_MAX_RDF_BYTES``): about 60M triples of Turtle.
MAX_RDF_BYTES = 2 << 30
#: The largest query file read; saved queries are a few KB.
MAX_QUERY_BYTES = 1 << 20
#: How deep JSON-LD objects and arrays, and RDF/XML elements, may nest.
MAX_NESTING = 256
#: How many bytes the DTD entities of an RDF/XML file may add when expanded.
MAX_ENTITY_EXPANSION = 1 << 20

_KIND_NAMES = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
    stat.S_IFLNK: "a symbolic link",
}


def kind_of_file(mode: int) -> str:
    """What a file is, in words ("a FIFO"), from its ``st_mode``."""
    return _KIND_NAMES.get(stat.S_IFMT(mode), "not a regular file")


def max_rdf_bytes() -> int:
    """The RDF file size cap: ``KG_MAX_RDF_BYTES`` if set to a number, else :data:`MAX_RDF_BYTES`."""
    try:
        return int(os.environ.get("KG_MAX_RDF_BYTES", MAX_RDF_BYTES))
    except ValueError:
        return MAX_RDF_BYTES


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, read once, if it is a regular file of at most ``max_bytes``.

    The file is opened without blocking and checked on the open descriptor, so a FIFO or a
    device is refused before anything is read, even if it replaced the file a moment ago.

    Raises:
        KgError: missing, unreadable, not a regular file, or larger than ``max_bytes``.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise KgError(f"{path}: no such file or directory") from None
    except OSError as error:
        raise KgError(f"{path}: cannot read: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb", buffering=0) as stream:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise KgError(
                f"{path}: not a regular file ({kind_of_file(status.st_mode)}); kg reads only regular files"
            )
        if status.st_size > max_bytes:
            raise KgError(
                f"{path}: {status.st_size} bytes is more than the limit of {max_bytes} bytes for this kind of file"
            )
        try:
            # read what fstat says is there (plus one byte to see growth), never a buffer of
            # max_bytes: a 2 GB allocation would fail under a worker's memory cap
            data = stream.read(status.st_size + 1)
            while len(data) <= max_bytes and (
                more := stream.read(min(1 << 20, max_bytes + 1 - len(data)))
            ):
                data += more
        except OSError as error:
            raise KgError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:  # it grew while we read it
        raise KgError(f"{path}: more than the limit of {max_bytes} bytes for this kind of file")
    return data


def without_bom(data: Buffer) -> Buffer:
    """``data`` without a leading UTF-8 byte order mark (which some editors write); ``data``
    itself, not a copy, when it has none."""
    return data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data


def check_json_nesting(path: Path, data: bytes | bytearray) -> None:
    """Refuse JSON nested deeper than :data:`MAX_NESTING` (strings are skipped)."""
    if data.count(b"{") + data.count(b"[") <= MAX_NESTING:
        return
    depth = 0
    for match in re.finditer(_JSON_TOKEN, data, re.DOTALL):
        token = match.group()
        if token in (b"{", b"["):
            depth += 1
            if depth > MAX_NESTING:
                raise KgError(
                    f"{path}: JSON nested more than {MAX_NESTING} levels deep (at byte {match.start()}); "
                    "kg refuses deeper nesting"
                )
        elif token in (b"}", b"]"):
            depth -= 1


# Patterns are compiled on first use (re's cache), not at start-up: few inputs are JSON or XML.
_JSON_TOKEN = rb'"(?:[^"\\]|\\.)*"|[\[\]{}]'


def check_xml(path: Path, data: bytes | bytearray) -> None:
    """Refuse XML whose entities could expand without bound, or whose elements nest deeper
    than :data:`MAX_NESTING`."""
    if b"<!ENTITY" in data:
        _check_entities(path, data)
    depth = 0
    for match in re.finditer(_XML_TAG, data, re.DOTALL):
        tag = match.group()
        if tag.startswith(b"</"):
            depth -= 1
        elif tag.startswith((b"<?", b"<!")) or tag.endswith(b"/>"):
            continue
        else:
            depth += 1
            if depth > MAX_NESTING:
                line = data.count(b"\n", 0, match.start()) + 1
                raise KgError(
                    f"{path}:{line}: XML elements nested more than {MAX_NESTING} levels deep; "
                    "kg refuses deeper nesting"
                )


_XML_TAG = rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
_ENTITY_DECLARATION = rb"<!ENTITY\s+(%\s+)?([^\s>]+)\s+(?:(SYSTEM|PUBLIC)\b|\"([^\"]*)\"|'([^']*)')"
_ENTITY_REFERENCE = rb"&([A-Za-z_][\w.-]*);"


def _check_entities(path: Path, data: bytes | bytearray) -> None:
    declared = list(re.finditer(_ENTITY_DECLARATION, data, re.DOTALL))
    if len(declared) != data.count(b"<!ENTITY"):
        raise KgError(
            f"{path}: a DTD entity declaration kg cannot read safely; write the values out in full"
        )
    sizes: dict[bytes, int] = {}
    for match in declared:
        parameter, name, external, value = (
            match.group(1),
            match.group(2),
            match.group(3),
            match.group(4) or match.group(5) or b"",
        )
        if parameter or external:
            raise KgError(
                f"{path}: DTD entity {name.decode('utf-8', 'replace')!r} is a parameter or outside entity; "
                "kg refuses them (they can read other files or expand without bound)"
            )
        if b"&" in value or b"%" in value:
            raise KgError(
                f"{path}: DTD entity {name.decode('utf-8', 'replace')!r} refers to another entity; "
                "kg refuses nested entities (they can expand without bound)"
            )
        sizes[name] = len(value)
    expansion = sum(sizes.get(m.group(1), 0) for m in re.finditer(_ENTITY_REFERENCE, data))
    if expansion > MAX_ENTITY_EXPANSION:
        raise KgError(
            f"{path}: DTD entities would expand by {expansion} bytes, more than kg's limit of "
            f"{MAX_ENTITY_EXPANSION}; write the values out in full"
        )
