"""What every touchaudit spider shares: its touchpoint from the config, and stored failures."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from twisted.python.failure import Failure as TwistedFailure

from audit.config import Config, Touchpoint
from audit.documents import Failure
from crawler.failures import classify, is_offsite
from crawler.jobs import config_of

logger = logging.getLogger(__name__)


class TouchpointSpider(scrapy.Spider):
    """A spider bound to one touchpoint of touchaudit.yaml (``-a touchpoint=NAME``).

    Without ``touchpoint`` the first touchpoint of the spider's kind is used, so
    ``scrapy crawl website`` works on a one-site config.
    """

    kind = ""

    config: Config
    tp: Touchpoint

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TouchpointSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        config = config_of(crawler)
        spider.config = config
        spider.tp = spider._touchpoint(config, kwargs.get("touchpoint"))
        return spider

    @functools.cached_property
    def selectors(self) -> Any:
        """The touchpoint's own CSS selectors for extraction (config ``extract:``), compiled once."""
        from crawler.extract import Selectors

        return Selectors.from_config(self.tp.extract)

    def _touchpoint(self, config: Config, name: str | None) -> Touchpoint:
        if name:
            tp = config.touchpoint(name)
            if tp.kind != self.kind:
                raise ValueError(f"touchpoint {name!r} is a {tp.kind}, not a {self.kind}")
            return tp
        for tp in config.touchpoints:
            if tp.kind == self.kind:
                return tp
        raise ValueError(f"{config.path}: no touchpoint of kind {self.kind!r}")

    def failed(self, failure: TwistedFailure) -> Iterator[Failure]:
        """Errback: every request that fails becomes a stored Failure with its reason."""
        request = getattr(failure, "request", None)
        if is_offsite(failure):
            self.crawler.stats.inc_value("touchaudit/offsite_redirects")
            logger.debug("redirected off the allowed domains: %s", request)
            return
        # A redirect chain fails as the URL that was linked, not the last hop (redirect loops).
        url = request.meta.get("redirect_urls", [request.url])[0] if request is not None else ""
        reason, detail = classify(failure)
        self.crawler.stats.inc_value(f"touchaudit/failures/{reason}")
        yield Failure(self.tp.name, url, reason, detail)
