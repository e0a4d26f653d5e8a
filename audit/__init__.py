"""touchaudit's library: config, store, rules, findings and outputs.

The Scrapy project in ``crawler/`` produces :class:`audit.documents.Document` records into the
store; everything after that (rules, findings, report) lives here and reads only the store.
"""

__version__ = "0.1.0"
