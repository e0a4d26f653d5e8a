"""The Scrapy project that collects touchpoints into documents (see crawler/run.py)."""
