"""Servers the endpoint tests start on 127.0.0.1: Oxigraph's, Virtuoso, `kg serve`, and small stand-ins."""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, process: subprocess.Popen, seconds: float = 30.0) -> bool:  # type: ignore[type-arg]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            time.sleep(0.1)
    return False


def oxigraph_binary() -> str | None:
    return shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )


@contextlib.contextmanager
def oxigraph_server(location: Path) -> Iterator[str | None]:
    """Start `oxigraph serve`; yield its base URL, or None with the reason printed if it cannot start."""
    binary = oxigraph_binary()
    if binary is None:
        yield None
        return
    port = free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        yield url if wait_for_http(f"{url}/query?query=ASK%7B%7D", process) else None
    finally:
        process.terminate()
        process.wait(10)


VIRTUOSO_INI = Path(__file__).resolve().parent / "fixtures" / "virtuoso" / "virtuoso.ini"
#: Virtuoso's account with the SPARQL_UPDATE role in a new database (its default password;
#: the instance is throw-away and listens on 127.0.0.1 only).
VIRTUOSO_USER, VIRTUOSO_PASSWORD = "dba", "dba"


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its base URL, its Graph Store endpoint (Digest auth) and SPARQL endpoint."""

    url: str
    pid: int

    @property
    def graph_store(self) -> str:
        return f"{self.url}/sparql-graph-crud-auth"

    def sparql(self, default_graph: str | None = None) -> str:
        """The SPARQL endpoint; with ``default_graph``, one whose default graph is that graph only
        (Virtuoso's default graph is otherwise the union of all graphs, its own system graphs included)."""
        if default_graph is None:
            return f"{self.url}/sparql"
        return f"{self.url}/sparql?{urllib.parse.urlencode({'default-graph-uri': default_graph})}"


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


@contextlib.contextmanager
def virtuoso_server(folder: Path) -> Iterator[Virtuoso | None]:
    """Start Debian's `virtuoso-t` on 127.0.0.1 with a new database in ``folder``; yield it, or
    None if it cannot start. It is stopped by its process id (SIGTERM, then SIGKILL)."""
    binary = virtuoso_binary()
    if binary is None:
        yield None
        return
    http_port = free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.read_text(encoding="utf-8").format(sql_port=free_port(), http_port=http_port),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{http_port}"
        up = wait_for_http(f"{url}/sparql?query=ASK%7B%7D", process, seconds=90)
        yield Virtuoso(url, process.pid) if up else None
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def kg_serve(*args: str) -> Iterator[str]:
    """Start `kg serve --port 0 ARGS`; yield its /sparql URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if "http://" not in line:
            raise RuntimeError(
                f"kg serve did not start: {line}{process.stderr.read() if process.stderr else ''}"
            )
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(10)


class RecordingServer(http.server.ThreadingHTTPServer):
    """A stand-in HTTP server that records each request and answers with a fixed response."""

    def __init__(
        self,
        status: int = 200,
        content_type: str = "text/html",
        body: bytes = b"<html>not SPARQL</html>",
        delay: float = 0.0,
        require_auth: str | None = None,
    ) -> None:
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.status, self.content_type, self.body, self.delay = status, content_type, body, delay
        self.require_auth = require_auth
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (the timeout tests) is expected here; stay quiet."""

    def __enter__(self) -> RecordingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    server: RecordingServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append((self.command, self.path, dict(self.headers), body))
        if self.server.delay:
            time.sleep(self.server.delay)
        if (
            self.server.require_auth
            and self.headers.get("Authorization") != self.server.require_auth
        ):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(self.server.status)
        self.send_header("Content-Type", self.server.content_type)
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    do_GET = do_POST = _answer
