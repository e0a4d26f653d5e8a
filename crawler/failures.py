"""Turn what went wrong with a request into a stored Failure reason (documents.FAILURE_REASONS).

What reaches a spider's errback, as observed with Scrapy 2.19's HTTP/1.1 handler:

- unresolvable host: ``CannotResolveHostError`` (wraps Twisted's ``DNSLookupError``)     -> dns
- DOWNLOAD_TIMEOUT passed: ``DownloadTimeoutError`` (after RETRY_TIMES retries)         -> timeout
- closed port: ``DownloadConnectionRefusedError``                                      -> connection
- body over DOWNLOAD_MAXSIZE: ``DownloadCancelledError`` ("... larger than download max size")
                                                                                        -> too_large
- REDIRECT_MAX_TIMES reached: ``IgnoreRequest("max redirections reached")``             -> redirect_loop
- a compressed body inflating past DOWNLOAD_MAXSIZE: ``IgnoreRequest("... exceeded DOWNLOAD_MAXSIZE
  ... during decompression")``                                                         -> too_large
- disallowed by robots.txt: ``IgnoreRequest("Forbidden by robots.txt")``                -> robots
- truncated body: ``ResponseDataLossError``; other transport errors: ``DownloadFailedError``
                                                                                        -> connection

Older Scrapy versions raise the Twisted exceptions themselves; those are mapped the same way.
"""

from __future__ import annotations

from scrapy import exceptions as scrapy_exceptions
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


def _scrapy(name: str) -> tuple[type[BaseException], ...]:
    exc = getattr(scrapy_exceptions, name, None)  # Scrapy >= 2.14 wraps Twisted's errors
    return (exc,) if isinstance(exc, type) else ()


DNS = (DNSLookupError, *_scrapy("CannotResolveHostError"))
TIMEOUT = (TimeoutError, TCPTimedOutError, *_scrapy("DownloadTimeoutError"))
CANCELLED = _scrapy("DownloadCancelledError")
CONNECTION = (ConnectError, ConnectionRefusedError, ConnectionLost, ResponseFailed, ResponseNeverReceived,
              *_scrapy("DownloadConnectionRefusedError"), *_scrapy("DownloadFailedError"),
              *_scrapy("ResponseDataLossError"))

OFFSITE = "filtered offsite request"


def classify(failure: TwistedFailure) -> tuple[str, str]:
    """(reason, detail) for a request's errback failure."""
    exc = failure.value
    detail = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    text = str(exc).lower()
    if isinstance(exc, DNS):
        return "dns", detail
    if isinstance(exc, TIMEOUT):
        return "timeout", detail
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in text:
            return "robots", "forbidden by robots.txt"
        if "redirect" in text:
            return "redirect_loop", str(exc)
        if "download_maxsize" in text or "max size" in text:  # a body that inflated past the limit
            return "too_large", str(exc)
        return "connection", detail
    if _too_large(exc):
        return "too_large", str(exc) or detail
    if isinstance(exc, CONNECTION):
        inner = " ".join(str(r.value) for r in getattr(exc, "reasons", []) if hasattr(r, "value"))
        return "connection", inner or detail
    return "connection", detail


def _too_large(exc: BaseException) -> bool:
    """A download cut off at DOWNLOAD_MAXSIZE (Scrapy says so in the message, or cancels it)."""
    text = str(exc).lower()
    if "max size" in text or "maxsize" in text:
        return True
    inner = " ".join(str(r.value) for r in getattr(exc, "reasons", []) if hasattr(r, "value")).lower()
    return isinstance(exc, CANCELLED) or "max size" in inner or "cancel" in inner


def is_offsite(failure: TwistedFailure) -> bool:
    """A redirect out of the allowed domains: the target is not this touchpoint's, not a failure."""
    return isinstance(failure.value, IgnoreRequest) and OFFSITE in str(failure.value).lower()


def status_reason(status: int) -> str | None:
    """The failure reason of an HTTP status, or None when the response is usable."""
    if 400 <= status < 500:
        return "http_4xx"
    if status >= 500:
        return "http_5xx"
    return None
