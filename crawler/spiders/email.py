"""The email spider: template and message files matching a touchpoint's ``paths`` globs.

Files are read directly in ``start()``, not through ``file://`` Requests: they are local and small,
and Scrapy's file handler would add nothing an email needs (no robots, offsite, retries or HTTP
status) while sending local paths through the website's HTTP middlewares, turning an unreadable
file into a network-style ``connection`` failure, and hiding the path that ``mailbox.mbox`` needs
for random access. Items yielded from ``start()`` still pass through the item pipelines (dedupe,
store), and the spider counts what it read in ``touchaudit/email/*`` stats.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

from audit.documents import Document, Failure
from audit.errors import shown
from audit.text import merge_tag_pattern
from crawler.emails import Email, Problem, read
from crawler.spiders.base import TouchpointSpider

logger = logging.getLogger(__name__)


class EmailSpider(TouchpointSpider):
    """Collect one email touchpoint: a Document per template or message, a Failure per bad file."""

    name = "email"
    kind = "email"

    async def start(self) -> AsyncIterator[Document | Failure]:
        max_size = self.config.max_email_size_bytes
        tag_re = merge_tag_pattern(tuple(self.tp.merge_tags))
        stored = 0
        for item in self.files():
            if isinstance(item, Failure):
                yield item
                continue
            path, name = item
            self.crawler.stats.inc_value("touchaudit/email/files")
            for found in read(path, name, max_size, tag_re):
                if stored >= self.tp.max_pages:
                    logger.warning("%s: max_pages (%d) reached; %s and later files not read",
                                   self.tp.name, self.tp.max_pages, name)
                    yield self.failure(name + found.part, "max_pages", f"max_pages ({self.tp.max_pages}) "
                                       f"reached: {name + found.part} and what follows it were not read")
                    return
                result = self.item(found, path, name)
                stored += isinstance(result, Document)
                yield result

    def files(self) -> Iterator[tuple[Path, str] | Failure]:
        """Each matching file once (sorted, per glob), as (path, name relative to the config).

        A glob that matches nothing is a Failure: an empty touchpoint must not pass unnoticed.
        """
        root = self.config.root
        seen: set[Path] = set()
        for pattern in self.tp.paths:
            matches = sorted(glob.glob(os.path.join(root, pattern), recursive=True))
            files = [Path(m) for m in matches if not os.path.isdir(m)]
            if not files:
                yield self.failure(pattern, "parse_error", f"no file matches {pattern!r} in {root} "
                                   "(expected email templates or messages)")
                continue
            for path in files:
                key = path.resolve()
                if key in seen:
                    continue
                seen.add(key)
                yield path, shown(Path(os.path.relpath(path, root)).as_posix())

    def item(self, found: Email | Problem, path: Path, name: str) -> Document | Failure:
        url = name + found.part
        if isinstance(found, Problem):
            logger.info("%s: %s", self.tp.name, found.detail)
            return self.failure(url, found.reason, found.detail)
        self.crawler.stats.inc_value("touchaudit/email/documents")
        return Document(
            touchpoint=self.tp.name,
            kind=self.kind,
            url=url,
            title=found.title,
            regions=found.regions,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            last_modified=_mtime(path),
            extra={"format": path.suffix.lower().lstrip("."), **found.extra},
        )

    def failure(self, url: str, reason: str, detail: str) -> Failure:
        self.crawler.stats.inc_value(f"touchaudit/failures/{reason}")
        return Failure(self.tp.name, url, reason, detail)


def _mtime(path: Path) -> str | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    except OSError:
        return None
