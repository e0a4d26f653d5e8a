"""Project settings for test crawls that must show progress (SCRAPY_SETTINGS_MODULE points here):
stderr is a pipe in tests, so the Progress extension is forced on."""

from crawler.settings import *  # noqa: F403

PROGRESS_FORCE = True
PROGRESS_INTERVAL = 0.2
