"""Retries that a server can live with: Retry-After honoured, backoff that grows, a host that says
"too many requests" slowed down as a whole.

Scrapy's RetryMiddleware retries at once. Against a server that limits its rate, that turns a
slow answer into a stored failure (90 of 100 pages ended as 429 on a 5 requests/s server). Here a
429 or 503 waits what its ``Retry-After`` says (seconds or an HTTP date, at most
``RETRY_AFTER_MAX``), other retryable statuses and network errors wait ``RETRY_BACKOFF_BASE`` ×
2ⁿ (at most ``RETRY_BACKOFF_MAX``), and a 429/503 also raises the host's download delay so the
other requests in flight stop adding to the problem. A rate limit is not a broken page: 429 and
503 are retried up to ``RETRY_RATE_LIMITED_TIMES`` (at least ``RETRY_TIMES``).
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor
from twisted.internet.task import deferLater

RATE_LIMITED = frozenset({429, 503})


def retry_after(response: Response, now: float | None = None) -> float | None:
    """Seconds a response asks to wait (``Retry-After: 120`` or an HTTP date), else None."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


class PoliteRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: Any):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)
        self.after_max = settings.getfloat("RETRY_AFTER_MAX", 60.0)
        self.rate_limited_times = max(self.max_retry_times, settings.getint("RETRY_RATE_LIMITED_TIMES", 5))
        self.crawler: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> PoliteRetryMiddleware:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    def backoff(self, tries: int) -> float:
        """Seconds before retry number ``tries + 1``: 0.5, 1, 2, 4… up to the cap."""
        return min(self.cap, self.base * (2 ** tries))

    async def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        tries = request.meta.get("retry_times", 0)
        limited = response.status in RATE_LIMITED
        asked = retry_after(response) if limited else None
        if limited:
            request.meta.setdefault("max_retry_times", self.rate_limited_times)
            self._slow_down(request, asked)
        retried = self._retry(request, response_status_message(response.status))
        if retried is None:
            return response
        await self._wait(min(asked, self.after_max) if asked is not None else self.backoff(tries))
        return retried

    async def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry", False):
            return None
        retried = self._retry(request, exception)
        if retried is not None:
            await self._wait(self.backoff(request.meta.get("retry_times", 0)))
        return retried

    async def _wait(self, seconds: float) -> None:
        if seconds > 0:
            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))

    def _slow_down(self, request: Request, asked: float | None) -> None:
        """A host that says it is overloaded gets fewer requests: its download slot's delay grows
        (to Retry-After spread over its concurrency, or doubles), up to ``RETRY_BACKOFF_MAX``."""
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        if downloader is None:
            return
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return
        wanted = asked / max(1, slot.concurrency) if asked else max(0.1, slot.delay * 2)
        slot.delay = min(self.cap, max(slot.delay, wanted))
