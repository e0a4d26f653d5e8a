"""The items every spider yields: a Document (one page, article or email) or a Failure.

They are the store's own records (``audit.documents``), so the pipeline writes them as they are;
Scrapy handles dataclass items through itemadapter.
"""

from audit.documents import Document, Failure, Region

__all__ = ["Document", "Failure", "Region"]
