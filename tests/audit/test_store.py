import sqlite3
from pathlib import Path

import pytest

from audit.documents import Document, Failure, Region
from audit.errors import StoreError
from audit.store import SCHEMA_VERSION, RunStore, Store


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
    expected = f"schema version 99, this touchaudit reads version {SCHEMA_VERSION}"
    with pytest.raises(StoreError, match=expected):
        Store(tmp_path / "s.db")


def _v1_store(tmp_path: Path) -> Path:
    """The real version-1 store of tests/fixtures/stores/v1 (two audit runs), as a file."""
    dump = Path(__file__).parents[1] / "fixtures" / "stores" / "v1" / "touchaudit-v1.sql"
    db = sqlite3.connect(tmp_path / "v1.db")
    db.executescript(dump.read_text(encoding="utf-8"))
    db.close()
    return tmp_path / "v1.db"


def test_an_older_store_is_refused_with_the_command_that_upgrades_it(tmp_path):
    path = _v1_store(tmp_path)
    with pytest.raises(StoreError, match=r"schema version 1, .* run `touchaudit migrate`"):
        Store(path)
    assert sqlite3.connect(path).execute("SELECT value FROM meta").fetchone() == ("1",)


def test_migrate_upgrades_a_version_1_store_in_place_keeping_crawls_and_runs(tmp_path):
    path = _v1_store(tmp_path)
    with Store(path, migrate=True) as store:
        assert store.migrated_from == 1
        assert [c["name"] for c in store.db.execute("SELECT name FROM crawls")] == ["", ""]
        assert [r["id"] for r in RunStore(store).runs()] == [1, 2]
        assert [d.url for d in store.iter_documents(2)] == ["emails/renewal.txt"]
        crawl = store.join_crawl("weekly", "emails", "job-1", "touchaudit.yaml", "x")
        assert crawl == 3
        assert [j["touchpoint"] for j in store.crawl_jobs(crawl)] == ["emails"]
    with Store(path) as store:  # now opens without being asked
        assert store.migrated_from is None
        assert store.db.execute("SELECT value FROM meta").fetchone()[0] == str(SCHEMA_VERSION)


def test_an_unknown_region_name_is_refused():
    with pytest.raises(ValueError, match="unknown region 'sidebar'"):
        Region("sidebar", "x")


def test_scrapy_jobs_with_one_name_share_a_crawl_which_the_last_expected_job_finishes(tmp_path):
    config = "touchpoints: [site, mail]"
    with Store(tmp_path / "s.db") as store:
        a = store.join_crawl("weekly", "site", "job-1", "t.yaml", config)
        b = store.join_crawl("weekly", "mail", "job-2", "t.yaml", config)
        other = store.join_crawl("weekly", "site", "job-3", "t.yaml", "touchpoints: [another]")
        assert a == b and other != a  # another config never joins
        assert store.finish_job(a, "site", "complete", ["site", "mail"]) is None
        assert store.crawl(a)["state"] == "running"
        assert store.finish_job(a, "mail", "complete", ["site", "mail"]) == "complete"
        assert store.crawl(a)["state"] == "complete" and store.crawl(a)["name"] == "weekly"
        assert [(j["touchpoint"], j["job"], j["state"]) for j in store.crawl_jobs(a)] == [
            ("site", "job-1", "complete"), ("mail", "job-2", "complete")]
        # Next round, same name: the finished crawl is not joined again.
        c = store.join_crawl("weekly", "site", "job-4", "t.yaml", config)
        assert c not in (a, other)


def test_a_second_job_for_the_same_touchpoint_starts_the_next_round(tmp_path):
    with Store(tmp_path / "s.db") as store:
        first = store.join_crawl("weekly", "site", "j1", "t.yaml", "x")
        again = store.join_crawl("weekly", "site", "j2", "t.yaml", "x")
        mail = store.join_crawl("weekly", "mail", "j3", "t.yaml", "x")
        assert again != first and mail == again  # the latest running crawl lacking 'mail'


def test_an_interrupted_job_makes_the_crawl_interrupted_and_unnamed_jobs_stand_alone(tmp_path):
    with Store(tmp_path / "s.db") as store:
        a = store.join_crawl("", "site", "j1", "t.yaml", "x")
        b = store.join_crawl("", "mail", "j2", "t.yaml", "x")
        assert a != b
        assert store.finish_job(a, "site", "interrupted", ["site"]) == "interrupted"
        assert store.finish_job(a, "site", "complete", ["site"]) is None  # finished only once


def test_a_stopped_job_is_resumed_in_its_crawl_and_finishes_it_again(tmp_path):
    with Store(tmp_path / "s.db") as store:
        crawl = store.join_crawl("weekly", "site", "j1", "t.yaml", "x")
        done = store.join_crawl("weekly", "mail", "j2", "t.yaml", "x")
        assert done == crawl
        store.finish_job(crawl, "mail", "complete", ["site", "mail"])
        assert store.finish_job(crawl, "site", "interrupted", ["site", "mail"]) == "interrupted"
        assert store.resumable_job("weekly", "mail", "x") is None  # mail's part completed
        assert store.resumable_job("weekly", "site", "other config") is None
        assert store.resumable_job("weekly", "site", "x") == crawl

        store.resume_job(crawl, "site", "j3")
        assert store.crawl(crawl)["state"] == "running" and store.crawl(crawl)["finished_at"] is None
        assert store.job_state(crawl, "site") == "running"
        assert store.finish_job(crawl, "site", "complete", ["site", "mail"]) == "complete"
        assert [(j["touchpoint"], j["job"], j["state"]) for j in store.crawl_jobs(crawl)] == [
            ("mail", "j2", "complete"), ("site", "j3", "complete")]


def test_a_failure_is_stored_once_per_url(tmp_path):
    with Store(tmp_path / "s.db") as store:
        crawl = store.start_crawl("touchaudit.yaml", "x")
        gone = Failure("site", "https://a.example/gone", "http_4xx", "HTTP 404", 404)
        store.add_failures(crawl, [gone, gone])
        store.add_failures(crawl, [Failure("site", "https://a.example/gone", "timeout", "again")])
        store.add_failures(crawl, [Failure("help", "https://a.example/gone", "http_4xx", "HTTP 404", 404)])
        assert [(f.touchpoint, f.reason) for f in store.failures(crawl)] == [("site", "http_4xx"),
                                                                             ("help", "http_4xx")]


def test_one_document_the_store_cannot_take_costs_none_of_the_others(tmp_path):
    with Store(tmp_path / "s.db") as store:
        crawl = store.start_crawl("touchaudit.yaml", "touchpoints: []")
        lone = "\ud83d"  # half of an emoji pair: what JSON "\\ud83d" or a non-UTF-8 file name gives
        docs = [
            Document("site", "website", "http://x/1", "One", [Region("body", "First page.")]),
            Document("site", "website", "http://x/2", f"Two {lone}", [
                Region("body", f"Second {lone} page."),
                Region("jsonld", "x", data=[{"@type": "Organization", "name": f"Acme {lone}"}])]),
            Document("site", "website", "http://x/3", "Three", [Region("body", "Third.")],
                     extra={"seen": object()}),  # nothing JSON can hold
            Document("site", "website", f"http://x/4{lone}", "Four", [Region("body", "Fourth.")]),
        ]
        refused = store.add_documents(crawl, docs)
        assert [(f.url, f.reason) for f in refused] == [("http://x/3", "not_stored")]
        assert "TypeError" in refused[0].detail
        back = {d.url: d for d in store.iter_documents(crawl)}
        assert sorted(back) == ["http://x/1", "http://x/2", "http://x/4\ufffd"]
        two = back["http://x/2"]
        assert two.title == "Two \ufffd" and two.region("body").text == "Second \ufffd page."
        assert two.region("jsonld").data[0]["name"] == "Acme \ufffd"
        store.add_failures(crawl, [Failure("site", f"http://x/5{lone}", "http_4xx", f"bad {lone}", 404)])
        assert store.failures(crawl)[0].url == "http://x/5\ufffd"


def test_a_location_as_a_dict_names_every_field_and_copies_its_lists():
    from dataclasses import asdict, fields

    from audit.findings import Location

    loc = Location("site", "https://a.example/", "body", 3, 9, "Cloud", "A Cloud.", 1, "T", ["H1", "H2"],
                   "footer", 4)
    d = loc.to_dict()
    assert d == asdict(loc) and list(d) == [f.name for f in fields(Location)]
    d["headings"].append("changed")
    assert loc.headings == ["H1", "H2"] and Location.from_dict(asdict(loc)) == loc
