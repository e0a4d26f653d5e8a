"""audit/chrome.py and the audit of repeated blocks: one finding per block, the same from run to
run whichever page is read first."""

from __future__ import annotations

from audit.auditor import Auditor
from audit.chrome import learn
from audit.documents import Document
from audit.rules import RuleSet
from audit.rules.language import LanguageRule
from crawler.extract import extract

WORDS = ["apples", "boats", "clouds", "dunes"]
FOOTER = "<div class='x'><p>Whilst you wait, read the docs.</p><p>Acme Ltd</p><p>Privacy</p></div>"


def _pages(order: list[int]) -> list[Document]:
    return [Document("site", "website", f"https://acme.example/{i}", "",
                     extract(f"<div><p>This page is about {WORDS[i - 1]}.</p></div>{FOOTER}").regions)
            for i in order]


def _findings(order: list[int]) -> list:
    rule = LanguageRule(id="whilst", kind="language", severity="warning", message=None, source="t",
                        prefer=["while"], avoid=["whilst"])
    docs = _pages(order)
    auditor = Auditor(RuleSet(rules=[rule]), chrome=learn(docs))
    return list(auditor.audit(docs)) + auditor.finish()


def test_a_repeated_block_is_one_finding_with_a_stable_identity() -> None:
    first = _findings([1, 2, 3, 4])
    again = _findings([4, 2, 3, 1])  # another crawl order: another page is read first
    assert len(first) == len(again) == 1
    assert first[0].fingerprint == again[0].fingerprint
    assert sorted(first[0].extra["pages"]) == sorted(again[0].extra["pages"]) == [
        f"https://acme.example/{i}" for i in (1, 2, 3, 4)]
    assert first[0].locations[0].chrome == "footer" and first[0].locations[0].pages == 4
