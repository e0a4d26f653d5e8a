"""audit/history.py: which findings of the previous run are fixed, and which were not rechecked."""

from audit.findings import Finding, Location
from audit.history import gone


def _finding(rule: str, *pages: tuple[str, str], status: str = "open") -> Finding:
    locations = [Location(tp, url, "body", 0, 4, "Acme") for tp, url in pages]
    return Finding("term", rule, "warning", "m", locations, "ACME", f"fp-{rule}", status)


def test_gone_from_pages_crawled_again_is_fixed_and_from_pages_missing_is_not_rechecked():
    still = _finding("still", ("site", "/a"))
    fixed = _finding("fixed", ("site", "/a"), ("mail", "welcome.txt"))
    partly = _finding("partly", ("site", "/a"), ("site", "/failed"))
    ignored = _finding("ignored", ("site", "/a"), status="ignored")
    crawled = {("site", "/a"), ("mail", "welcome.txt")}

    got_fixed, got_unchecked = gone([still, fixed, partly, ignored], {"fp-still"}, crawled)

    assert [(f.rule, f.status) for f in got_fixed] == [("fixed", "fixed")]
    assert [(f.rule, f.status) for f in got_unchecked] == [("partly", "open")]


def test_the_same_url_on_another_touchpoint_is_not_the_same_page():
    f = _finding("x", ("help", "/a"))
    assert gone([f], set(), {("site", "/a")}) == ([], [f])


def test_a_repeated_block_is_fixed_only_when_every_page_showing_it_was_crawled_again():
    footer = _finding("footer", ("site", "/a"))
    footer.extra["pages"] = ["/a", "/b", "/c"]
    assert gone([footer], set(), {("site", "/a"), ("site", "/b")}) == ([], [footer])
    assert gone([footer], set(), {("site", "/a"), ("site", "/b"), ("site", "/c")}) == ([footer], [])
