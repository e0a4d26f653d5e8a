"""touchaudit.yaml -> typed Config, with every problem reported as file:line:col."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from audit.documents import KINDS
from audit.errors import InputError
from audit.options import Option, Source, load_yaml, validate, value_position

DEFAULT_CONFIG = "touchaudit.yaml"


def _size(value: Any) -> str | None:
    size = parse_size(value)
    if size is None:
        return "must be a size such as 5MB, 512KB or 1000000"
    return None if size > 0 else "must be more than 0 bytes"


def _at_least(low: float, strict: bool = False) -> Callable[[Any], str | None]:
    """A range check: a number >= ``low`` (> ``low`` when ``strict``)."""
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None  # the type check says it
        ok = value > low if strict else value >= low
        return None if ok else f"must be {'more than' if strict else 'at least'} {low:g}"
    return check


def _absolute_url(url: str) -> str | None:
    """A start URL is an absolute http(s) URL: 'www.acme.example' has no scheme to fetch."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an absolute http(s) URL such as https://{url.strip() or 'www.acme.example'}/"
    return None


def parse_size(value: Any) -> int | None:
    """'5MB' -> 5_000_000 bytes; a plain number is bytes."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    if not isinstance(value, str):
        return None
    units = {"": 1, "B": 1, "KB": 1_000, "MB": 1_000_000, "GB": 1_000_000_000,
             "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}
    text = value.strip().upper().replace(" ", "")
    num = text.rstrip("KMGIB")
    unit = text[len(num):]
    try:
        return int(float(num) * units[unit])
    except (ValueError, KeyError):
        return None


ZENDESK = [
    Option("base_url", "str", "the help center's base URL, e.g. https://acme.zendesk.com",
           required=True),
    Option("locale", "str", "the locale of the articles to read", default="en-us"),
    Option("per_page", "int", "articles per API page", default=100),
    Option("pagination", "choice", "offset pagination (next_page) or cursor pagination (links.next)",
           default="cursor", choices=("cursor", "offset")),
]

def _selector(value: str) -> str | None:
    """CSS selectors are checked when the config is read, not when the first page arrives."""
    from crawler.extract import check_selector  # lxml's cssselect; the crawler owns extraction

    return check_selector(value)


EXTRACT = [
    Option("main", "strings", "CSS selectors of the main content: everything outside it is chrome "
           "(nav before it, footer after it)", check_item=_selector),
    Option("nav", "strings", "CSS selectors of more navigation chrome (region nav)", check_item=_selector),
    Option("footer", "strings", "CSS selectors of more footer chrome (region footer)", check_item=_selector),
    Option("exclude", "strings", "CSS selectors of content that is not text at all (testimonials, "
           "legal boilerplate, cookie banners, class=\"nop\" markers)", check_item=_selector),
]

TOUCHPOINT = [
    Option("name", "str", "the touchpoint's name, used in rules and the report", required=True),
    Option("kind", "choice", "what kind of touchpoint this is", required=True, choices=KINDS),
    Option("start_urls", "strings", "where a website or HTML help-center crawl starts (absolute "
           "http(s) URLs)", check_item=_absolute_url),
    Option("allowed_domains", "strings", "domains the crawl may follow links into "
           "(default: the start URLs' hosts)"),
    Option("include", "regexes", "only URLs matching one of these patterns are crawled"),
    Option("exclude", "regexes", "URLs matching one of these patterns are not crawled"),
    Option("max_pages", "int", "stop after this many documents", default=5000, check=_at_least(1)),
    Option("max_depth", "int", "how many links away from a start URL to follow", default=20,
           check=_at_least(0)),
    Option("render", "any", "run each page's JavaScript before reading it (true), or only for "
           "URLs matching these regular expressions (a list): pages whose text the browser builds. "
           "Needs the [render] extra and a Chromium (CHROMIUM, default /usr/bin/chromium)",
           default=False, check=lambda v: _render_check(v)),
    Option("max_per_pattern", "int", "most pages of one path that differ only in their query's "
           "values (a calendar's ?month=, a filter's ?color=&size=): such traps cannot use up "
           "max_pages", default=100, check=_at_least(1)),
    Option("sitemap", "bool", "read sitemap.xml and the sitemaps named in robots.txt", default=True),
    Option("robots", "bool", "obey robots.txt", default=True),
    Option("zendesk", "map", "read a Zendesk Help Center through its API", table=ZENDESK),
    Option("paths", "strings", "file globs of email templates and messages, relative to the "
           "config's folder"),
    Option("merge_tags", "regexes", "more merge-tag syntaxes of this touchpoint's templates, as "
           "regular expressions (SendGrid's -name-: '-[a-z]+-'); the common ones are built in"),
    Option("allow_empty", "bool", "a crawl that collects no documents here (or stops an email "
           "touchpoint at max_pages) is expected: the run does not fail with exit code 3",
           default=False),
    Option("extract", "map", "how pages are read: CSS selectors for the main content, chrome "
           "and content to leave out (websites and HTML help centers)", table=EXTRACT),
]

def _render_check(value: object) -> str | None:
    if isinstance(value, bool) or (isinstance(value, list) and all(isinstance(x, str) for x in value)):
        return None
    return "must be true, false or a list of URL patterns"


CRAWL = [
    Option("concurrency", "int", "requests in flight at once", default=8, check=_at_least(1)),
    Option("per_host", "int", "requests in flight per host", default=8, check=_at_least(1)),
    Option("delay", "float", "seconds between requests to one host", default=0.0, check=_at_least(0)),
    Option("timeout", "float", "seconds before a request times out", default=30.0,
           check=_at_least(0, strict=True)),
    Option("max_size", "any", "largest response accepted (bytes, or 5MB…)", default="10MB",
           check=_size),
    Option("max_email_size", "any", "largest email template file, or text of one message, read "
           "(a message's attachments never count)", default="2MB", check=_size),
    Option("retries", "int", "retries of a failed request (5xx, timeout, connection), each after a "
           "backoff that doubles; a 429 or 503 is retried at least 5 times, after what its Retry-After "
           "asks", default=2, check=_at_least(0)),
    Option("backoff", "float", "seconds before the first retry; each next one waits twice as long "
           "(at most 30 s)", default=0.5, check=_at_least(0)),
    Option("autothrottle", "bool", "adapt the delay to each host's response times (Scrapy's "
           "AutoThrottle), aiming at 'per_host' requests in flight", default=False),
    Option("user_agent", "str", "the User-Agent header",
           default="touchaudit (+https://github.com/touchaudit/touchaudit)"),
    Option("httpcache", "bool", "keep Scrapy's HTTP cache (RFC 2616 policy) for incremental "
           "re-crawls", default=False),
    Option("redis_url", "str", "share the frontier through scrapy-redis at this Redis URL"),
]

CONFIG = [
    Option("store", "str", "the SQLite store file, relative to the config's folder",
           default="touchaudit.db"),
    Option("rules", "strings", "rule files or folders, relative to the config's folder",
           default=["rules"]),
    Option("ignore", "str", "the ignore-list file (findings a human has judged)"),
    Option("phone_region", "str", "default region for phone numbers without a country code",
           default="US"),
    Option("fail_on", "choice", "severity at or above which commands exit 1", default="error",
           choices=("error", "warning", "info", "never")),
    Option("crawl", "map", "how to crawl", table=CRAWL),
    Option("touchpoints", "maps", "the touchpoints to audit", required=True, table=TOUCHPOINT,
           item="touchpoint"),
]


@dataclass
class Touchpoint:
    name: str
    kind: str
    start_urls: list[str] = field(default_factory=list)
    allowed_domains: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    max_pages: int = 5000
    max_depth: int = 20
    max_per_pattern: int = 100
    render: bool | list[str] = False
    sitemap: bool = True
    robots: bool = True
    zendesk: dict[str, Any] | None = None
    paths: list[str] = field(default_factory=list)
    extract: dict[str, Any] | None = None
    merge_tags: list[str] = field(default_factory=list)
    allow_empty: bool = False


@dataclass
class Config:
    path: Path
    text: str
    touchpoints: list[Touchpoint]
    store: Path
    rules: list[Path]
    ignore: Path | None
    phone_region: str = "US"
    fail_on: str = "error"
    crawl: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent

    def touchpoint(self, name: str) -> Touchpoint:
        for tp in self.touchpoints:
            if tp.name == name:
                return tp
        raise KeyError(name)

    @property
    def max_size_bytes(self) -> int:
        return parse_size(self.crawl.get("max_size")) or 10_000_000

    @property
    def max_email_size_bytes(self) -> int:
        return parse_size(self.crawl.get("max_email_size")) or 2_000_000


def load_config(path: str | Path = DEFAULT_CONFIG, text: str | None = None) -> Config:
    """Read and check a config; raise InputError listing every problem found."""
    path = Path(path)
    src = load_yaml(path, text)
    if src.data is None and not src.problems:
        src.problem(1, 1, "the config is empty; expected a mapping with 'touchpoints'")
    if src.problems:
        raise InputError(src.problems)
    raw = validate(src, src.data, CONFIG, "the config")
    touchpoints = _touchpoints(src, raw.get("touchpoints") or [])
    ignore = raw.get("ignore")
    if ignore and isinstance(ignore, str) and not (path.resolve().parent / ignore).is_file():
        src.problem(*value_position(src.data, "ignore"), f"'ignore' names {ignore!r}, which does not exist "
                    f"(looked for {path.resolve().parent / ignore})")
    if src.problems:
        raise InputError(src.problems)
    root = path.resolve().parent
    crawl = {k: v for k, v in (raw.get("crawl") or {}).items() if not k.startswith("_")}
    if not crawl:
        crawl = {o.name: o.default for o in CRAWL}
    return Config(
        path=path.resolve(),
        text=src.text,
        touchpoints=touchpoints,
        store=root / raw["store"],
        rules=[root / r for r in raw["rules"]],
        ignore=root / raw["ignore"] if raw.get("ignore") else None,
        phone_region=raw["phone_region"].upper(),
        fail_on=raw["fail_on"],
        crawl=crawl,
    )


def _touchpoints(src: Source, items: list[dict[str, Any]]) -> list[Touchpoint]:
    out: list[Touchpoint] = []
    seen: set[str] = set()
    for item in items:
        if item.get("name") is None or item.get("kind") is None:
            continue  # already reported as missing
        line, col = item["_line"], item["_col"]
        name, kind = item["name"], item["kind"]
        if name in seen:
            src.problem(*item["_pos"].get("name", (line, col)),
                        f"touchpoint name {name!r} is used twice; names must be unique")
        seen.add(name)
        if kind in ("website",) and not item.get("start_urls") and "start_urls" not in item["_pos"]:
            src.problem(line, col, f"touchpoint {name!r} has kind '{kind}' but no 'start_urls'")
        if kind == "helpcenter" and not item.get("start_urls") and not item.get("zendesk"):
            src.problem(line, col, f"touchpoint {name!r} has kind 'helpcenter' but neither "
                        "'start_urls' (an HTML help center) nor 'zendesk' (the API)")
        if kind == "email" and not item.get("paths"):
            src.problem(line, col, f"touchpoint {name!r} has kind 'email' but no 'paths'")
        fields = {k: v for k, v in item.items() if not k.startswith("_") and v is not None}
        for key in ("zendesk", "extract"):
            if fields.get(key):
                fields[key] = {k: v for k, v in fields[key].items() if not k.startswith("_")}
        out.append(Touchpoint(**fields))
    return out
