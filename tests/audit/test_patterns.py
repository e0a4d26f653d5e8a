"""Regular expressions from users: refused by `rules check` when they can stall, time-boxed when not.

A catastrophic pattern is written into every place a rule file or a config can hold one; a pattern
the linter cannot see through (polynomial, not exponential) is run by a real audit on a long page.
"""

from __future__ import annotations

import logging
import textwrap
import threading
from pathlib import Path

import pytest

from audit.auditor import Auditor
from audit.config import load_config
from audit.documents import Document, Region
from audit.errors import InputError
from audit.patterns import SEARCH_SECONDS, TimedPattern
from audit.rules import load_rules

BAD = r"(\w+\s?)+$"  # exponential: a repeated part inside a repeated group
SLOW = r"[a-z]+\w*[a-z]*\w+,!"  # polynomial: no linter rule sees it, only the time box stops it

TERM = "  - id: r\n    kind: term\n    preferred: Acme\n"
PLACES = {
    "variants": (TERM + "    variants:\n      - {pattern: 'BAD'}\n", 6, 19),
    "retired": (TERM + "    retired: [{pattern: 'BAD'}]\n", 5, 25),
    "exceptions": (TERM + "    variants: [ACME]\n    exceptions: [{pattern: 'BAD'}]\n", 6, 28),
    "urls": (TERM + "    variants: [ACME]\n    urls: ['BAD']\n", 6, 12),
    "exclude_urls": (TERM + "    variants: [ACME]\n    exclude_urls: ['BAD']\n", 6, 20),
    "allow_in": (TERM + "    variants: [ACME]\n    allow_in: ['BAD']\n", 6, 16),
    "language-avoid": ("  - id: r\n    kind: language\n    prefer: sign in\n    avoid: [{pattern: 'BAD'}]\n",
                       5, 23),
    "consistency": ("  - id: r\n    kind: consistency\n    alternatives: [e-mail, {pattern: 'BAD'}]\n",
                    4, 38),
    "fact-pattern": ("  - id: r\n    kind: fact\n    type: text\n    context: [motto]\n"
                     "    options: {pattern: 'BAD'}\n", 6, 24),
}


@pytest.mark.parametrize("place", PLACES)
def test_rules_check_refuses_a_catastrophic_pattern_in_every_place_a_rule_holds_one(place: str,
                                                                                        tmp_path: Path):
    body, line, col = PLACES[place]
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n" + body.replace("BAD", BAD))
    with pytest.raises(InputError) as err:
        load_rules([path])
    problems = err.value.problems
    assert [(p.line, p.col) for p in problems] == [(line, col)], str(err.value)
    assert "backtrack catastrophically" in problems[0].message


@pytest.mark.parametrize("key", ["include", "exclude"])
def test_config_crawl_patterns_are_linted_too(key: str, tmp_path: Path):
    cfg = tmp_path / "touchaudit.yaml"
    cfg.write_text(textwrap.dedent(f"""\
        touchpoints:
          - name: site
            kind: website
            start_urls: [https://acme.example/]
            {key}: ['{BAD}']
        """))
    with pytest.raises(InputError, match=r"touchaudit.yaml:5:\d+: .*backtrack catastrophically"):
        load_config(cfg)


def test_a_slow_pattern_gives_up_within_its_time_box_and_says_so_once(caplog):
    pattern = TimedPattern(SLOW)
    text = "a" * 3_000 + " ,!"
    done: list[object] = []
    with caplog.at_level(logging.WARNING, logger="audit.patterns"):
        worker = threading.Thread(target=lambda: done.extend([pattern.search(text), pattern.finditer(text)]),
                                  daemon=True)
        worker.start()
        worker.join(timeout=60 * SEARCH_SECONDS)
    assert not worker.is_alive(), "the search was not stopped by its time box"
    assert done == [None, []]
    assert pattern.gave_up == 2
    assert len([r for r in caplog.records if "gave up" in r.getMessage()]) == 1


def test_an_audit_with_slow_patterns_in_every_place_finishes_and_reports_the_rest(tmp_path: Path, caplog):
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(f"""\
        rules:
          - id: name
            kind: term
            preferred: Acme
            variants: [ACME, {{pattern: '{SLOW}'}}]
            exceptions: [{{pattern: '{SLOW}'}}]
            allow_in: ['{SLOW}']
            exclude_urls: ['{SLOW}']
          - id: motto
            kind: fact
            type: text
            context: [motto]
            options: {{pattern: '{SLOW}'}}
        """))
    ruleset = load_rules([path])
    long_url = "https://acme.example/" + "a" * 3_000 + " ,!"
    text = "Our motto: " + "a" * 3_000 + " ,! and ACME ships today."
    docs = [Document("site", "website", long_url, "", [Region("body", text, [])])]
    auditor = Auditor(ruleset)
    done: list[object] = []
    with caplog.at_level(logging.WARNING, logger="audit.patterns"):
        worker = threading.Thread(target=lambda: done.extend([*auditor.audit(docs), *auditor.finish()]),
                                  daemon=True)
        worker.start()
        worker.join(timeout=120)
    assert not worker.is_alive(), "the audit did not finish"
    assert [(f.rule, loc.text) for f in done for loc in f.locations] == [("name", "ACME")]
    assert any("gave up" in r.getMessage() for r in caplog.records)
