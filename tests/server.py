"""A real HTTP server on 127.0.0.1 for spider tests, like Scrapy's tests/mockserver.

It serves ``tests/fixtures/sites/`` as files (``__BASE__`` in text files is replaced by the
server's base URL, so JSON APIs and sitemaps can hold absolute links) plus a few resources:

- ``/status/<code>``            responds with that status and a small HTML body
- ``/redirect-loop/<n>``        redirects to ``/redirect-loop/<n+1>`` forever
- ``/redirect?to=<path>``       one 301 redirect to ``to``
- ``/gen/sitemap-index.xml?n=&size=`` a sitemap index of n sitemaps of size URLs each, made on the fly
- ``/calendar?month=<n>``       an events calendar linking to month n + 1, forever
- ``/redirect-back/a``          redirects to ``/redirect-back/b``, which redirects back to ``a``
- ``/delay/<seconds>/<path>``   waits, then serves ``<path>``
- ``/big/<bytes>``              an HTML page of that many bytes
- ``/gzip-bomb/<bytes>``        that many bytes of HTML, gzip-compressed to a few hundred
- ``/binary-as-html``           random bytes served as text/html
- ``/headers/<name>/<value>/<path>`` serves ``<path>`` with an extra response header

Every request is logged in ``server.requests`` (method, path, headers) and every response in
``server.responses`` (path, status) for assertions; ``server.delay`` (seconds) slows down every
request, to make a crawl long enough to be stopped half-way; ``server.rate_limit`` (requests per
second) answers 429 with ``Retry-After: 1`` to a client going faster, as rate-limited sites do;
``server.strict_slash`` answers ``/docs`` with 404 when only ``/docs/`` exists, as many servers do.
"""

from __future__ import annotations

import gzip
import mimetypes
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SITES = Path(__file__).parent / "fixtures" / "sites"
TEXT_TYPES = (".json", ".xml", ".txt", ".html", ".htm")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        self.server.requests.append((self.command, self.path, dict(self.headers)))
        if self.server.delay:
            time.sleep(self.server.delay)
        if self.server.rate_limit and not self.server.take():
            return self.send(429, b"<html><body>Too many requests</body></html>", {"Retry-After": "1"})
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        segs = [s for s in path.split("/") if s]
        if segs[:1] == ["status"] and len(segs) == 2:
            code = int(segs[1])
            return self.send(code, f"<html><body><h1>Status {code}</h1></body></html>".encode())
        if segs[:1] == ["redirect-loop"]:
            n = int(segs[1]) if len(segs) > 1 else 0
            return self.send(302, b"", {"Location": f"/redirect-loop/{n + 1}"})
        if segs[:1] == ["redirect-back"] and len(segs) == 2:  # /redirect-back/a -> /redirect-back/b -> …/a
            return self.send(302, b"", {"Location": "/redirect-back/" + ("b" if segs[1] == "a" else "a")})
        if segs[:1] == ["gen"]:  # a sitemap index of <n> sitemaps of <size> URLs each, made on the fly
            return self.generated(segs[1:], query)
        if segs == ["calendar"]:  # a month links to the next, forever, as event calendars do
            month = int(query.get("month", ["0"])[0])
            body = (f"<html><body><h1>Events, month {month}</h1><p>No events in month {month}.</p>"
                    f'<a href="/calendar?month={month + 1}">Next month</a></body></html>').encode()
            return self.send(200, body)
        if segs[:1] == ["redirect"]:
            return self.send(301, b"", {"Location": query.get("to", ["/"])[0]})
        if segs[:1] == ["delay"] and len(segs) >= 2:
            time.sleep(float(segs[1]))
            return self.serve_file("/" + "/".join(segs[2:]), query)
        if segs[:1] == ["big"] and len(segs) == 2:
            size = int(segs[1])
            body = b"<html><body><p>" + b"a " * (size // 2) + b"</p></body></html>"
            return self.send(200, body, {"Content-Type": "text/html"})
        if segs[:1] == ["gzip-bomb"] and len(segs) == 2:  # a small gzip body that inflates past the limit
            body = gzip.compress(b"<html><body><p>" + b" " * int(segs[1]) + b"</p></body></html>")
            return self.send(200, body, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
        if segs == ["binary-as-html"]:
            return self.send(200, os.urandom(4096) + b"\x00\x01\x02", {"Content-Type": "text/html"})
        if segs[:1] == ["headers"] and len(segs) >= 3:
            return self.serve_file("/" + "/".join(segs[3:]), query, {segs[1]: segs[2]})
        return self.serve_file(path, query)

    def generated(self, segs: list[str], query: dict[str, list[str]]) -> None:
        n, size = int(query.get("n", ["50"])[0]), int(query.get("size", ["1000"])[0])
        base = self.server.base
        if segs == ["sitemap-index.xml"]:
            items = "".join(f"<sitemap><loc>{base}/gen/sitemap/{k}.xml?size={size}</loc></sitemap>"
                            for k in range(n))
            body = f'<?xml version="1.0"?><sitemapindex xmlns="{SITEMAP_NS}">{items}</sitemapindex>'
            return self.send(200, body.encode(), {"Content-Type": "application/xml"})
        if segs[:1] == ["sitemap"] and len(segs) == 2:
            k = segs[1].removesuffix(".xml")
            items = "".join(f"<url><loc>{base}/gen/page/{k}/{i}</loc></url>" for i in range(size))
            body = f'<?xml version="1.0"?><urlset xmlns="{SITEMAP_NS}">{items}</urlset>'
            return self.send(200, body.encode(), {"Content-Type": "application/xml"})
        if segs[:1] == ["page"]:
            page = "/".join(segs[1:])
            return self.send(200, f"<html><body><p>Generated page {page}.</p></body></html>".encode())
        return self.send(404, b"<html><body>Not found</body></html>")

    def serve_file(self, path: str, query: dict[str, list[str]], extra: dict[str, str] | None = None) -> None:
        root = self.server.root
        target = (root / path.lstrip("/")).resolve()
        if not str(target).startswith(str(root.resolve())):
            return self.send(403, b"forbidden")
        if target.is_dir():
            if self.server.strict_slash and not path.endswith("/"):
                return self.send(404, b"<html><body><h1>Not found</h1></body></html>")
            target = target / "index.html"
        # ?page=N / ?cursor=X / ?page[after]=X select a sibling file when there is one, so the first
        # page (articles.json) and the next (articles.json?page=2 -> articles.page-2.json) differ.
        for key in ("page", "cursor", "page[after]"):
            if key in query:
                label = key.replace("[", "-").rstrip("]")
                alt = target.with_name(f"{target.stem}.{label}-{query[key][0]}{target.suffix}")
                if alt.is_file():
                    target = alt
                    break
        if not target.is_file():
            return self.send(404, b"<html><body><h1>Not found</h1></body></html>")
        body = target.read_bytes()
        if target.suffix in TEXT_TYPES:
            body = body.replace(b"__BASE__", self.server.base.encode())
        ctype = self.server.content_types.get(target.name) or mimetypes.guess_type(target.name)[0]
        headers = {"Content-Type": ctype or "application/octet-stream"}
        headers.update(extra or {})
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        headers["ETag"] = etag
        headers["Last-Modified"] = "Mon, 02 Nov 2026 10:00:00 GMT"
        if self.headers.get("If-None-Match") == etag:
            return self.send(304, b"", headers)
        self.send(200, body, headers)

    def send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.server.responses.append((self.path, code))
        self.send_response(code)
        headers = dict(headers or {})
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path = SITES) -> None:
        """Serve ``root`` (default: every fixture site); a site of its own as root has its own
        /robots.txt and /sitemap.xml."""
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = root
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.responses: list[tuple[str, int]] = []
        self.delay = 0.0
        self.rate_limit = 0.0  # requests per second allowed; above it: 429 with Retry-After: 1
        self.strict_slash = False  # a folder asked for without its trailing slash: 404, no redirect
        self._tokens, self._refilled, self._lock = 1.0, time.monotonic(), threading.Lock()
        # file name -> Content-Type, for fixtures that lie about their type on purpose
        self.content_types: dict[str, str] = {}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def take(self) -> bool:
        """A token of the rate limit's bucket (as many as one second allows, refilled
        continuously), or False when the client is going too fast."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.rate_limit, self._tokens + (now - self._refilled) * self.rate_limit)
            self._refilled = now
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
