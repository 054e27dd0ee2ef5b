"""Reading RDF files: which files a path names, their bytes (within :mod:`kg.base.input_limits`),
and their quads, with errors that name the file, line and column.

Every reader of RDF in `kg` goes through here: each file is read once (:func:`read_rdf_file`)
and parsed by pyoxigraph, as quads (:func:`rdf_quads`) or straight into a store
(:func:`load_into`); both give each file's blank nodes fresh identifiers, so files merge as RDF
says.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from kg.base.errors import KgError, one_line
from kg.base.input_limits import (
    check_json_nesting,
    check_xml,
    max_rdf_bytes,
    read_regular_file,
    without_bom,
)
from kg.rdf.formats import by_ending
from kg.rdf.prefixes import prefix_declarations

#: File endings read as RDF, and the syntax each is parsed as.
RDF_FORMATS: dict[str, ox.RdfFormat] = by_ending()


#: A file ending in one of :data:`RDF_FORMATS` and then ``.gz`` is read through gzip.
GZIP_SUFFIX = ".gz"


def rdf_format_of(path: Path) -> ox.RdfFormat | None:
    """The syntax a file is parsed as, from its ending (``x.ttl``, ``x.nq.gz``); None if unknown."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [GZIP_SUFFIX]:
        suffixes = suffixes[:-1]
    return RDF_FORMATS.get(suffixes[-1]) if suffixes else None


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/+(?=[^/])")


def _refuse_url(raw: str | os.PathLike[str]) -> None:
    """A URL given where a file is expected: say so, with the URL as typed (a Path would have
    folded its ``//`` into one ``/``)."""
    text = os.fspath(raw)
    match = _URL.match(text)
    if (
        match
        and match.group(1).lower() in ("http", "https", "ftp", "file")
        and not Path(text).exists()
    ):
        url = _URL.sub(lambda m: f"{m.group(1)}://", text, count=1)
        raise KgError(
            f"{url}: kg reads local files, not URLs; download it first "
            f"(curl -LO {url}) or ask the server that holds it with --endpoint"
        )


def resolve_rdf_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and folders into the RDF files to read, in a stable order.

    A folder contributes the files directly inside it whose ending is in :data:`RDF_FORMATS`.
    A file named twice (``--ontology ontology/ --data ontology/supernode.ttl``) is read once:
    read twice, its blank nodes would be two copies of each node.

    Raises:
        KgError: a path does not exist, a folder holds no RDF file, or an ending is unknown.
    """
    files: list[Path] = []
    for raw in paths:
        _refuse_url(raw)
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if rdf_format_of(p) is not None and p.is_file()
            )
            if not found:
                endings = ", ".join(sorted(RDF_FORMATS))
                raise KgError(
                    f"{path}: no RDF files in this directory (looked for {endings}, each also .gz)"
                )
            files.extend(found)
        elif path.is_file():
            if rdf_format_of(path) is None:
                endings = ", ".join(sorted(RDF_FORMATS))
                raise KgError(
                    f"{path}: unknown RDF file type {path.suffix!r} (expected one of {endings})"
                )
            files.append(path)
        elif path.exists():
            raise KgError(f"{path}: not a regular file or directory")
        else:
            raise KgError(f"{path}: no such file or directory")
    seen: set[Path] = set()
    unique = []
    for file in files:
        if (resolved := file.resolve()) not in seen:
            seen.add(resolved)
            unique.append(file)
    return unique


class RdfFile(NamedTuple):
    """One RDF file as read: its bytes, read once and within :mod:`kg.base.input_limits`, and its
    syntax. Whatever is done with the file (hashing for the cache, parsing) uses these bytes.
    """

    path: Path
    data: bytes | bytearray  # a bytearray when decompressed (no second copy of the bytes)
    rdf_format: ox.RdfFormat

    @property
    def base_iri(self) -> str:
        return self.path.resolve().as_uri()


def read_rdf_file(path: Path) -> RdfFile:
    """Read one RDF file once, refusing what :mod:`kg.base.input_limits` refuses (a FIFO or device,
    an oversized file, expanding entities, deep nesting); a UTF-8 byte order mark is dropped.

    Raises:
        KgError: one line naming the file and the rule it breaks.
    """
    rdf_format = rdf_format_of(path)
    if rdf_format is None:
        raise KgError(f"{path}: unknown RDF file type {path.suffix!r}")
    raw = read_regular_file(path, max_rdf_bytes())
    data: bytes | bytearray = (
        without_bom(_gunzip(path, raw, max_rdf_bytes()))
        if path.suffix.lower() == GZIP_SUFFIX
        else without_bom(raw)
    )
    if rdf_format == ox.RdfFormat.JSON_LD:
        check_json_nesting(path, data)
    elif rdf_format == ox.RdfFormat.RDF_XML:
        check_xml(path, data)
    return RdfFile(path, data, rdf_format)


def _gunzip(path: Path, data: bytes, max_bytes: int) -> bytearray:
    """Decompress a gzip file within the RDF size limit (a small file can inflate enormously).

    Raises:
        KgError: not gzip data, or more than ``max_bytes`` once decompressed.
    """
    import zlib

    out = bytearray()  # grown piece by piece: zlib's own output buffer peaks at twice the size
    rest = data
    while True:  # every member: `cat a.gz b.gz` and bgzip files hold several, read as one
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            while True:
                piece = inflater.decompress(rest, _GUNZIP_PIECE)
                out += piece
                if len(out) > max_bytes:
                    raise KgError(
                        f"{path}: more than the limit of {max_bytes} bytes once decompressed"
                    )
                rest = inflater.unconsumed_tail
                if inflater.eof or (not rest and len(piece) < _GUNZIP_PIECE):
                    break  # the member's end, or its input used up with nothing pending
        except zlib.error as error:
            raise KgError(f"{path}: not a gzip file ({error})") from None
        if not inflater.eof:
            raise KgError(f"{path}: the gzip data is cut off")
        rest = inflater.unused_data
        if not rest.strip(b"\0"):  # nothing more, or zero padding after the last member
            return out


#: Bytes decompressed at a time.
_GUNZIP_PIECE = 1 << 22


def rdf_quads(rdf_file: RdfFile, prefixes: dict[str, str] | None = None) -> Iterator[ox.Quad]:
    """The quads of one file, parsed as they stream, every literal exactly as written; its
    prefixes are added to ``prefixes``.

    Blank nodes get fresh identifiers, so ``_:b`` in two files stays two nodes: RDF merges
    graphs that way, and :func:`load_into` (Oxigraph's own loader) does the same. Every
    reader of RDF in `kg` goes through these two functions.

    Raises:
        KgError: the file does not parse (file:line:column: reason), while iterating.
    """
    with _syntax_errors(rdf_file.path):
        parser = ox.parse(
            rdf_file.data,  # type: ignore[arg-type]  # any buffer: a bytearray when decompressed
            format=rdf_file.rdf_format,
            base_iri=rdf_file.base_iri,
            rename_blank_nodes=True,
        )
        yield from parser
    if prefixes is not None:
        for prefix, namespace in parser.prefixes.items():
            prefixes.setdefault(prefix, namespace)


def load_into(
    store: ox.Store, rdf_file: RdfFile, prefixes: dict[str, str], *, bulk: bool = False
) -> None:
    """Parse one file into a store; its prefixes, for display only, are read from its @prefix
    lines. Blank nodes get fresh identifiers, as in :func:`rdf_quads`.

    In memory the file goes straight into the store, all in Rust (twice as fast as going
    through Python quads). ``bulk`` streams into an on-disk store in batches of
    :data:`BULK_BATCH_QUADS` quads: memory stays flat (about 100 MB at any size), where one
    ``Store.bulk_load`` of a file holds about 0.9 KB per triple.
    """
    if bulk:
        quads = rdf_quads(rdf_file)
        while batch := list(islice(quads, BULK_BATCH_QUADS)):
            store.bulk_extend(batch)
    else:
        with _syntax_errors(rdf_file.path):
            store.load(
                rdf_file.data,  # type: ignore[arg-type]  # any buffer: a bytearray when decompressed
                format=rdf_file.rdf_format,
                base_iri=rdf_file.base_iri,
            )
    add_declared_prefixes(rdf_file, prefixes)


def add_declared_prefixes(rdf_file: RdfFile, prefixes: dict[str, str]) -> None:
    """Add the prefixes a Turtle, TriG or N3 file declares, for display only, to ``prefixes``
    (a prefix already there keeps its namespace)."""
    if rdf_file.rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N3, ox.RdfFormat.TRIG):
        for prefix, namespace in prefix_declarations(rdf_file.data):
            prefixes.setdefault(prefix, namespace)


#: Quads per ``Store.bulk_extend`` call when building an on-disk store (measured at 1M
#: triples: 25k quads, 108 MB peak and 6.8 s; one call for the whole file, 900 MB and 6.6 s).
BULK_BATCH_QUADS = 25_000


@contextmanager
def _syntax_errors(path: Path) -> Iterator[None]:
    """Turn the parser's errors into one-line KgErrors naming file, line and column."""
    try:
        yield
    except SyntaxError as error:
        raise KgError(
            f"{path}:{_syntax_error_position(error)}: {_syntax_error_reason(error)}"
        ) from None
    except ValueError as error:  # an invalid IRI or literal that the parser let through
        raise KgError(f"{path}: {one_line(error)}") from None
    except MemoryError as error:
        if "buffer maximal size" in str(error):  # pyoxigraph's cap on one token's length
            raise KgError(
                f"{path}: a literal, IRI or other token is longer than the parser's limit of "
                f"{_number_in(str(error)) or 'some'} bytes; kg cannot read it"
            ) from None
        raise KgError(f"{path}: not enough memory to parse this file") from None


def _number_in(text: str) -> str:
    match = re.search(r"\d+", text)
    return match.group() if match else ""


def parse_file(path: Path, prefixes: dict[str, str] | None = None) -> list[ox.Quad]:
    """Read and parse one RDF file into its quads (see :func:`rdf_quads`); add its prefixes
    to ``prefixes``.

    Raises:
        KgError: the file cannot be read or does not parse (file:line:column: reason).
    """
    return list(rdf_quads(read_rdf_file(path), prefixes))


def file_quads(
    paths: Sequence[str | os.PathLike[str]], prefixes: dict[str, str] | None = None
) -> Iterator[ox.Quad]:
    """The quads of every RDF file of ``paths`` in turn, as they stream (see :func:`rdf_quads`)."""
    for path in resolve_rdf_files(paths):
        yield from rdf_quads(read_rdf_file(path), prefixes)


def _syntax_error_position(error: SyntaxError) -> str:
    if error.lineno is None:
        return "1:1"
    return f"{error.lineno}:{error.offset or 1}"


def _syntax_error_reason(error: SyntaxError) -> str:
    message = str(error.msg if error.msg else error)
    # pyoxigraph says "Parser error at line L between columns A and B: reason";
    # the position is already in front, so keep only the reason.
    _, sep, reason = message.partition(": ")
    return (reason if sep else message).replace("\n", " ").strip()
