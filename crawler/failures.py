"""Turn what went wrong with a request into a stored Failure reason (documents.FAILURE_REASONS)."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure as TwistedFailure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


def classify(failure: TwistedFailure) -> tuple[str, str]:
    """(reason, detail) for a request's errback failure."""
    exc = failure.value
    detail = f"{type(exc).__name__}: {exc}".strip()
    if isinstance(exc, DNSLookupError):
        return "dns", detail
    if isinstance(exc, (TimeoutError, TCPTimedOutError)):
        return "timeout", detail
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "robots.txt" in text:
            return "robots", "forbidden by robots.txt"
        if "redirect" in text:
            return "redirect_loop", str(exc)
        if "max size" in text or "maxsize" in text or "too large" in text:
            return "too_large", str(exc)
        return "connection", detail
    if isinstance(exc, (ResponseFailed, ResponseNeverReceived)):
        inner = " ".join(str(r.value) for r in getattr(exc, "reasons", []) if hasattr(r, "value"))
        if "maxsize" in inner.lower() or "max size" in inner.lower() or "cancel" in inner.lower():
            return "too_large", inner or detail
        return "connection", inner or detail
    if isinstance(exc, (ConnectError, ConnectionRefusedError, ConnectionLost)):
        return "connection", detail
    if "cancel" in detail.lower() and "size" in detail.lower():
        return "too_large", detail
    return "connection", detail


def status_reason(status: int) -> str | None:
    """The failure reason of an HTTP status, or None when the response is usable."""
    if 400 <= status < 500:
        return "http_4xx"
    if status >= 500:
        return "http_5xx"
    return None
