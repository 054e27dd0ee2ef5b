"""The query page's routes in `kg serve`: the page (``/``), its static files (``kg/serve/web/``) and
the JSON API it calls (``/api/...``), each mapped to a response.

What reads the graph (a saved query's rows, labels, entity cards, a chart's data) is a job for
the workers, run through the ``run`` function the server passes in, under the same caps as
queries; the answers themselves are made in :mod:`kg.serve.web_api`.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from kg.serve.config import EndpointError
from kg.serve.protocol import Job, Response, parse_form, printable, query_job
from kg.serve.web_api import saved_queries_json, saved_query

WEB_DIR = Path(__file__).resolve().parent / "web"
STATIC_FILES = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}


@dataclass(frozen=True)
class PageRequest:
    """What the routes need of an HTTP request.

    Attributes:
        method: ``GET``, ``POST`` ...
        target: the request target: path and query string.
        accept: the ``Accept`` header, if any.
        read_body: reads the body (within the server's caps).
        drain_body: reads and drops the body, so the connection can be reused.
    """

    method: str
    target: str
    accept: str | None
    read_body: Callable[[], bytes]
    drain_body: Callable[[], None]


class QueryPage:
    """The page's routes, for one server.

    Args:
        run: answers a worker job for a client address (:meth:`kg.serve.workers.QueryEngine.run`).
    """

    def __init__(self, run: Callable[[Job, str], Response]) -> None:
        self._run = run
        self._charts: dict[str, bytes] = {}
        self._charts_lock = threading.Lock()

    def answer(self, request: PageRequest, client: str) -> Response:
        """The response to a request for anything but ``/sparql``.

        Raises:
            EndpointError: 404 for an unknown resource or saved query; the errors of the
                worker's jobs (:meth:`kg.serve.workers.QueryEngine.run`).
        """
        parts = urllib.parse.urlsplit(request.target)
        path, method = parts.path, request.method
        if path in ("/", "/index.html") and method == "GET":
            return 200, "text/html; charset=utf-8", (WEB_DIR / "index.html").read_bytes()
        if path.startswith("/static/") and method == "GET":
            name = path[len("/static/") :]
            if name in STATIC_FILES:
                return 200, STATIC_FILES[name], (WEB_DIR / name).read_bytes()
        elif path == "/api/queries" and method == "GET":
            return 200, "application/json; charset=utf-8", saved_queries_json()
        elif path.startswith("/api/queries/") and method == "GET":
            name = urllib.parse.unquote(path[len("/api/queries/") :])
            values = {k: v[-1] for k, v in parse_form(parts.query).items()}
            # the form and media type from the query as saved; the values are bound in the
            # worker, which reads the graph (an IRI parameter may be a label, as on the CLI)
            media_type = query_job(saved_query(name).text, request.accept)[2]
            job = ("saved", name, json.dumps(values, ensure_ascii=False), str(media_type))
            return self._run(job, client)
        elif path.startswith("/api/charts/") and method == "GET":
            return self.chart_svg(urllib.parse.unquote(path[len("/api/charts/") :]), client)
        elif path == "/api/labels" and method == "POST":
            return self._run(("labels", request.read_body()), client)
        elif path == "/api/describe" and method == "GET":
            entity = (parse_form(parts.query).get("entity") or [""])[-1]
            return self._run(("describe", entity), client)
        request.drain_body()
        raise EndpointError(
            HTTPStatus.NOT_FOUND, f"no such resource: {printable(path)}; the endpoint is /sparql"
        )

    def chart_svg(self, name: str, client: str) -> Response:
        """Chart ``name`` of the served graph as SVG: the spec is made in a worker (it runs the
        chart's saved query there), rendered here once and kept, since the graph does not change
        while serving. vl-convert renders here, not in the workers: its JavaScript engine
        cannot start under the workers' address-space cap."""
        from kg.base.errors import KgError
        from kg.views.charts import chart_names, render_chart

        if name not in chart_names():
            raise EndpointError(
                HTTPStatus.NOT_FOUND,
                f"no chart named {printable(name)!r}; GET /api/queries names each query's chart",
            )
        with self._charts_lock:
            if name not in self._charts:
                status, content_type, body = self._run(("chart", name), client)
                if status != 200:
                    return status, content_type, body
                try:
                    self._charts[name] = render_chart(json.loads(body), "svg")
                except KgError as error:
                    raise EndpointError(HTTPStatus.INTERNAL_SERVER_ERROR, error.message) from None
            return 200, "image/svg+xml; charset=utf-8", self._charts[name]
