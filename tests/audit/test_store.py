import sqlite3

import pytest

from audit.documents import Document, Failure, Region
from audit.errors import StoreError
from audit.store import Store


def test_documents_round_trip_and_stream_in_batches(tmp_path):
    with Store(tmp_path / "s.db") as store:
        crawl = store.start_crawl("touchaudit.yaml", "touchpoints: []")
        docs = [
            Document("site", "website", f"http://x/{i}", f"Page {i}",
                     [Region("body", f"Body {i}"), Region("jsonld", "x", data=[{"@type": "Thing"}])])
            for i in range(25)
        ]
        store.add_documents(crawl, docs)
        store.add_failures(crawl, [Failure("site", "http://x/404", "http_4xx", "404 Not Found", 404)])
        store.finish_crawl(crawl, "complete")
        back = list(store.iter_documents(crawl, batch=7))
        assert [d.url for d in back] == [d.url for d in docs]
        assert back[3].region("jsonld").data == [{"@type": "Thing"}]
        assert store.failures(crawl)[0].reason == "http_4xx"
        assert store.crawl()["state"] == "complete"
        assert store.crawl_counts(crawl) == {"site": {"documents": 25, "failures": 1}}


def test_a_store_of_another_schema_version_is_refused_with_a_clear_message(tmp_path):
    Store(tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute("UPDATE meta SET value='99'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="schema version 99, this touchaudit reads version 1"):
        Store(tmp_path / "s.db")


def test_an_unknown_region_name_is_refused():
    with pytest.raises(ValueError, match="unknown region 'sidebar'"):
        Region("sidebar", "x")
