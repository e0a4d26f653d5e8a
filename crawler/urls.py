"""URL identity: one page, one URL, however a link spells it.

A page is reachable under many spellings (``?utm_source=…``, ``#section``, ``/pricing/`` vs
``/pricing``, ``HTTP://Host:80``, query parameters in another order). The canonical spelling is
the page's identity: a page is asked for once whatever spelling links to it, and stored under it,
so the store holds each page once. What is fetched is the spelling the site published
(``request_url``): canonicalizing is for recognising duplicates, never for changing the request.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

# Query parameters that say where a visitor came from or which visit it is, never which page.
TRACKING = re.compile(
    r"^(utm_[a-z0-9_]+|gclid|gclsrc|dclid|fbclid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid|_ga|_gl"
    r"|_hsenc|_hsmi|__hstc|__hssc|__hsfp|hsctatracking|mkt_tok|ref|ref_src"
    r"|trk|oly_anon_id|oly_enc_id|vero_id|wickedid|s_kwcid|sc_cid"
    # Session ids: a new one per visit would make every page a new URL.
    r"|phpsessid|jsessionid|sessionid|session_id|sid|aspsessionid)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """The one spelling of ``url``: no fragment, no tracking parameters, sorted query,
    lower-case scheme and host, no default port, no trailing slash (except the root)."""
    parts = urlsplit(url.strip())
    scheme, netloc = parts.scheme.lower(), _netloc(parts)
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k)]
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")))


def request_url(url: str) -> str:
    """``url`` as the site published it, to be fetched: its path (trailing slash included) and
    query order kept, since ``/docs/`` and ``/docs`` are different resources on many servers;
    only what never reaches or changes the page goes: the fragment, tracking parameters, the
    default port, upper case in scheme and host."""
    parts = urlsplit(url.strip())
    scheme, netloc = parts.scheme.lower(), _netloc(parts)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, v) for k, v in pairs if not TRACKING.match(k)]) if any(
        TRACKING.match(k) for k, _ in pairs) else parts.query
    return safe_url_string(urlunsplit((scheme, netloc, parts.path or "/", query, "")))


def _netloc(parts: SplitResult) -> str:
    """Host in lower case, without the scheme's default port, user info kept."""
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = _port(parts)
    netloc = host if port in (None, DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    return netloc


def _port(parts: object) -> int | None:
    try:
        return parts.port  # type: ignore[attr-defined,no-any-return]
    except ValueError:  # a port that is not a number: keep the URL as it is
        return None


def absolute(href: str, base: str) -> str | None:
    """``href`` resolved against ``base`` when it leads to an http(s) page, else None
    (mailto:, tel:, javascript:, data:…)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    url = urljoin(base, href)
    return url if urlsplit(url).scheme in ("http", "https") else None


def host(url: str) -> str:
    """The host name of ``url``, lower-case, without port: what allowed_domains match."""
    return (urlsplit(url).hostname or "").lower()


def host_allowed(url: str, domains: list[str]) -> bool:
    """True when ``url``'s host is one of ``domains`` or a subdomain of one."""
    h = host(url)
    return any(h == d or h.endswith("." + d) for d in domains)


def domain_of(entry: str) -> str:
    """An allowed_domains entry as a bare host: ``https://Acme.com:8080/x`` -> ``acme.com``."""
    entry = entry.strip()
    if "//" not in entry:
        entry = "//" + entry
    return (urlsplit(entry).hostname or "").lower()


def url_pattern(url: str) -> str:
    """The shape of a URL, for bounding traps: host, path and the query's parameter names without
    their values. ``/events?month=2027-01`` and ``?month=2031-07`` are one pattern (a calendar's
    next month, forever), as are a faceted list's ``?color=red&size=m`` and ``?color=blue&size=l``;
    pages with paths of their own (``/articles/123``, ``/articles/124``) are not."""
    parts = urlsplit(url)
    names = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{(parts.hostname or '').lower()}{parts.path}?{'&'.join(names)}"
