"""Redirects that end: one back into its own chain is a ``redirect_loop`` failure, one to a page
asked for before ends as that page.

A redirect that comes back to a URL of its own chain is a loop, stored as ``redirect_loop``.

Scrapy follows it until REDIRECT_MAX_TIMES when every hop is new, but a chain that returns to a
URL already asked for (``/a`` → ``/b`` → ``/a``) is dropped by the duplicate filter: no document,
no failure, and the linked URL stays pending in a crawl called complete. Seen before Scrapy's
RedirectMiddleware (a higher number: responses pass it first), such a response fails its request
with a reason the crawl stores.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawler.urls import canonical_url

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class RedirectLoopMiddleware:
    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECTS or not location:
            return response
        target = canonical_url(urljoin(request.url, location.decode("latin-1")))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {canonical_url(u) for u in chain}:
            raise IgnoreRequest(f"redirect loop: {request.url} redirects back to {target}")
        return response


class PageRedirectMiddleware(RedirectMiddleware):
    """Scrapy's RedirectMiddleware, with a page's redirect never dropped as a duplicate: a link
    that redirects to a page asked for before (``/redirect?to=/features.html``) ends as that
    page (stored once: the pipeline drops the second copy), not as a URL pending forever. Loops
    are caught by RedirectLoopMiddleware and REDIRECT_MAX_TIMES."""

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Request | Response:
        out = super().process_response(request, response)
        if isinstance(out, Request) and out.meta.get("page") and not out.dont_filter:
            out = out.replace(dont_filter=True)
        return out
