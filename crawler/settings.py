"""Scrapy settings for touchaudit's crawler. Settings only; behaviour lives in the components.

crawler/run.py overrides the TOUCHAUDIT_* settings and the crawl limits from touchaudit.yaml.
"""

BOT_NAME = "touchaudit"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Where the crawl is stored and which config it reads (set by crawler/run.py or `-s`).
TOUCHAUDIT_CONFIG = "touchaudit.yaml"
TOUCHAUDIT_STORE = ""  # default: the config's 'store'
TOUCHAUDIT_CRAWL_ID = 0  # 0: the store pipeline starts a crawl of its own (scrapy crawl, Scrapyd)
TOUCHAUDIT_BATCH = 50  # documents written per transaction
TOUCHAUDIT_RESUME = False  # continue crawl TOUCHAUDIT_CRAWL_ID from its stored frontier
# Crawls run as Scrapy jobs (scrapy crawl, Scrapyd): see crawler/jobs.py.
TOUCHAUDIT_CRAWL_NAME = ""  # jobs sharing a name add their touchpoints to one crawl
TOUCHAUDIT_TOUCHPOINTS: list[str] = []  # the touchpoints a named crawl waits for (default: all)
TOUCHAUDIT_AUDIT_ON_CLOSE = True  # the job that finishes the crawl audits it and writes the report
TOUCHAUDIT_REPORT_DIR = ""  # default: touchaudit-out beside the config
TOUCHAUDIT_REPORT_FORMATS: list[str] = []  # default: html, json, sarif

ROBOTSTXT_OBEY = True
USER_AGENT = "touchaudit (+https://github.com/touchaudit/touchaudit)"
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10_000_000  # an auditor's pages; larger responses are stored as 'too_large'
DOWNLOAD_WARNSIZE = 0
RETRY_TIMES = 2
# crawler/retry.py: Retry-After honoured, backoff that doubles, a rate-limited host slowed down.
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_MAX = 30.0
RETRY_AFTER_MAX = 60.0
RETRY_RATE_LIMITED_TIMES = 5
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.PoliteRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.redirects.PageRedirectMiddleware": 600,
    "crawler.redirects.RedirectLoopMiddleware": 650,  # sees a redirect before PageRedirectMiddleware
}
REDIRECT_MAX_TIMES = 10
HTTPERROR_ALLOW_ALL = True  # spiders turn error statuses into stored Failures, not silent drops
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# INFO as Scrapy users expect of `scrapy crawl` and a Scrapyd job log (the stats dump at the end
# carries touchaudit/crawl_id, run_id and the report paths); `touchaudit crawl` sets its own level.
LOG_LEVEL = "INFO"
# A URL that gave up after its retries is a stored Failure, counted and reported: INFO, not ERROR.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

SPIDER_MIDDLEWARES = {
    # Near the engine: it records the requests the other middlewares let through.
    "crawler.frontier.FrontierMiddleware": 25,
}
ITEM_PIPELINES = {
    "crawler.pipelines.DedupePipeline": 100,
    "crawler.pipelines.StorePipeline": 900,
}
EXTENSIONS = {
    "crawler.extensions.Progress": 500,
    "crawler.jobs.CrawlJob": 600,
}
PROGRESS_INTERVAL = 2.0
