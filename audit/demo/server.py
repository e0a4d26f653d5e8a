"""The demo company's web server: its website and a Zendesk-style Help Center API, on 127.0.0.1.

A stdlib ``ThreadingHTTPServer`` on a free port, serving in a thread (``with DemoServer() as s``):

- ``site/`` as the website (``/pricing`` and ``/pricing/`` -> ``site/pricing/index.html``), with
  ``robots.txt`` and ``sitemap.xml``;
- ``/api/v2/help_center/en-us/articles.json``: the articles of ``help/articles.json``, a few per
  page, in Zendesk's cursor style (``page[size]``, ``page[after]`` -> ``meta.has_more`` and
  ``links.next``) or its offset style (``per_page``, ``page`` -> ``next_page``, ``page_count``);
- ``/api/v2/help_center/en-us/articles/<id>.json``: one article;
- ``/hc/en-us`` and each article's ``html_url`` (``/hc/en-us/articles/<id>-<slug>``) as HTML pages,
  so the links a reader follows work. Drafts are in the API (as ``draft: true``) but have no page.

``__BASE__`` in every served text file is replaced by the server's base URL, so sitemaps, JSON-LD
and the API can hold absolute links whatever port the server got.
"""

from __future__ import annotations

import html
import json
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

HERE = Path(__file__).parent
SITE = HERE / "site"
HELP = HERE / "help"
LOCALE = "en-us"
API = f"/api/v2/help_center/{LOCALE}/articles"
PAGE_SIZE = 3  # articles per API page at most, so the demo's help center has several pages
TEXT_SUFFIXES = (".html", ".htm", ".json", ".xml", ".txt", ".css", ".svg")
TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
         ".json": "application/json; charset=utf-8", ".css": "text/css", ".svg": "image/svg+xml"}
NOT_FOUND = (b"<!doctype html><html><head><title>Not found</title></head>"
             b"<body><h1>Not found</h1></body></html>\n")

ARTICLE_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | CloudSync Help Center</title>
<link rel="canonical" href="{url}">
</head>
<body>
<header><nav aria-label="Help center"><a href="{base}/hc/{locale}">CloudSync Help Center</a>
<a href="{base}/">Back to CloudSync</a></nav></header>
<main>
{content}
</main>
<footer><p>Northwind Labs, Inc. Questions? Call us at (415) 555-0134.</p></footer>
</body>
</html>
"""


class DemoHandler(BaseHTTPRequestHandler):
    server: DemoServer

    def log_message(self, format: str, *args: Any) -> None:  # the crawl reports what matters
        pass

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path == f"{API}.json":
            return self.send_json(self.server.articles_page(query))
        if path.startswith(f"{API}/") and path.endswith(".json"):
            article = self.server.article(path[len(API) + 1 : -len(".json")])
            return self.send_json({"article": article}) if article else self.not_found()
        if path.rstrip("/") == f"/hc/{LOCALE}":
            return self.send(200, self.server.help_index().encode(), TYPES[".html"])
        if path.startswith(f"/hc/{LOCALE}/articles/"):
            page = self.server.article_page(path.rsplit("/", 1)[-1].split("-", 1)[0])
            return self.send(200, page.encode(), TYPES[".html"]) if page else self.not_found()
        return self.serve_file(path)

    def serve_file(self, path: str) -> None:
        target = (SITE / path.lstrip("/")).resolve()
        if not target.is_relative_to(SITE.resolve()):
            return self.not_found()
        if target.is_dir():  # /pricing and /pricing/ are one page (canonical: /pricing/)
            target = target / "index.html"
        if not target.is_file():
            return self.not_found()
        body = target.read_bytes()
        if target.suffix in TEXT_SUFFIXES:
            body = body.replace(b"__BASE__", self.server.base.encode())
        ctype = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self.send(200, body, ctype)

    def send_json(self, data: Any) -> None:
        self.send(200, json.dumps(data, indent=2).encode(), TYPES[".json"])

    def not_found(self) -> None:
        self.send(404, NOT_FOUND, TYPES[".html"])

    def send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class DemoServer(ThreadingHTTPServer):
    """The demo company on ``self.base`` (http://127.0.0.1:PORT) while the ``with`` block runs."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), DemoHandler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        raw = (HELP / "articles.json").read_text(encoding="utf-8").replace("__BASE__", self.base)
        self.articles: list[dict[str, Any]] = json.loads(raw)["articles"]
        self.thread = threading.Thread(target=self.serve_forever, name="touchaudit-demo", daemon=True)

    def __enter__(self) -> DemoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    # -- the Help Center API ---------------------------------------------------------------------
    def articles_page(self, query: dict[str, str]) -> dict[str, Any]:
        """One page of the article list, in the pagination style the query asks for."""
        cursor = any(k.startswith("page[") for k in query)
        size = _int(query.get("page[size]" if cursor else "per_page"), PAGE_SIZE)
        size = max(1, min(size, PAGE_SIZE))
        url = f"{self.base}{API}.json"
        total = len(self.articles)
        if cursor:
            start = _int(query.get("page[after]", "").removeprefix("c"), 0)
            chunk = self.articles[start : start + size]
            end = start + len(chunk)
            more = end < total
            after = f"c{end}"
            return {
                "articles": chunk,
                "meta": {"has_more": more, "after_cursor": after if more else None,
                         "before_cursor": f"c{start}" if start else None},
                "links": {"next": f"{url}?{urlencode({'page[size]': size, 'page[after]': after})}"
                          if more else None,
                          "prev": None},
            }
        page = max(1, _int(query.get("page"), 1))
        count = max(1, -(-total // size))
        chunk = self.articles[(page - 1) * size : page * size]
        following = {k: v for k, v in query.items() if k not in ("page", "per_page")}
        following |= {"per_page": size, "page": page + 1}
        return {
            "articles": chunk,
            "count": total,
            "page": page,
            "page_count": count,
            "per_page": size,
            "next_page": f"{url}?{urlencode(following)}" if page < count else None,
            "previous_page": None,
        }

    def article(self, article_id: str) -> dict[str, Any] | None:
        return next((a for a in self.articles if str(a["id"]) == article_id), None)

    # -- the Help Center's HTML pages ------------------------------------------------------------
    def article_page(self, article_id: str) -> str | None:
        article = self.article(article_id)
        if article is None or article.get("draft"):
            return None
        content = f"<article><h1>{html.escape(article['title'])}</h1>\n{article['body']}</article>"
        return ARTICLE_PAGE.format(title=html.escape(article["title"]), url=article["html_url"],
                                   base=self.base, locale=LOCALE, content=content)

    def help_index(self) -> str:
        items = "\n".join(f'<li><a href="{a["html_url"]}">{html.escape(a["title"])}</a></li>'
                          for a in self.articles if not a.get("draft"))
        content = f"<h1>How can we help?</h1>\n<ul>\n{items}\n</ul>"
        return ARTICLE_PAGE.format(title="Help Center", url=f"{self.base}/hc/{LOCALE}", base=self.base,
                                   locale=LOCALE, content=content)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


if __name__ == "__main__":  # python -m audit.demo.server: browse the demo company
    with DemoServer() as demo:
        print(f"serving the demo company on {demo.base}/ (Ctrl-C to stop)")
        try:
            demo.thread.join()
        except KeyboardInterrupt:
            pass
