"""Build a store the way the crawl and the audit write it, for the output tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from audit.documents import Document, Failure, Region
from audit.findings import Finding, Location, Observation, fact_fingerprint, text_fingerprint
from audit.store import RunStore, Store

CONFIG = "touchpoints:\n  site: {kind: website, url: 'https://example.test/'}\n"


@dataclass
class RunSpec:
    findings: list[Finding] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)


def loc(touchpoint: str, url: str, region: str, text: str, sentence: str, *, sentence_at: int = 0,
        title: str = "") -> Location:
    """A location of ``text`` inside ``sentence``, which starts at ``sentence_at`` in the region."""
    i = sentence.index(text)
    return Location(touchpoint, url, region, sentence_at + i, sentence_at + i + len(text), text,
                    sentence, sentence_at, title)


def term(rule: str, location: Location, *, severity: str = "warning", status: str = "new",
         expected: str | None = "Acme Cloud", kind: str = "term", message: str | None = None) -> Finding:
    return Finding(kind, rule, severity, message or f"Write {expected!r}, not {location.text!r}",
                   [location], expected, text_fingerprint(rule, location, 0), status)


def fact(rule: str, fact_id: str, qualifier: str, observations: list[Observation], *,
         expected: str | None = None, severity: str = "error", status: str = "new") -> Finding:
    """A fact finding grouping observations by value, majority first, as the audit writes it."""
    groups: dict[str, dict] = {}
    for o in observations:
        g = groups.setdefault(o.display, {"value": o.value, "display": o.display, "count": 0,
                                          "locations": []})
        g["count"] += 1
        g["locations"].append(o.location.to_dict())
    ordered = sorted(groups.values(), key=lambda g: -g["count"])
    return Finding("fact", rule, severity, f"{fact_id} has {len(ordered)} different values",
                   [o.location for o in observations], expected or ordered[0]["display"],
                   fact_fingerprint(rule, qualifier, [o.value for o in observations]), status,
                   {"fact": fact_id, "qualifier": qualifier, "groups": ordered,
                    # a rule's expected value names the deviation, as audit/rules/fact.py does
                    **({"deviation": next(g["display"] for g in ordered if g["display"] != expected)}
                       if expected else {})})


def build_store(path: Path, runs: Iterable[RunSpec], *, documents: list[Document] | None = None,
                failures: list[Failure] | None = None, state: str = "complete") -> list[int]:
    """One crawl with ``documents`` and ``failures``, then one finished run per RunSpec."""
    ids = []
    with Store(path) as store:
        crawl = store.start_crawl("touchaudit.yaml", CONFIG)
        store.add_documents(crawl, documents or [])
        store.add_failures(crawl, failures or [])
        store.finish_crawl(crawl, state)
        row = store.crawl(crawl)
        rs = RunStore(store)
        for spec in runs:
            run = rs.start_run(crawl, row["config_hash"], "rules-hash")
            rs.add_findings(run, spec.findings)
            rs.add_observations(run, spec.observations)
            rs.finish_run(run, {})
            ids.append(run)
    return ids


def sample_documents() -> list[Document]:
    return [
        Document("site", "website", "https://example.test/", "Home",
                 [Region("title", "Home"), Region("body", "Try acme cloud free for 14 days.")]),
        Document("site", "website", "https://example.test/pricing", "Pricing",
                 [Region("body", "Pro costs $29 per month. Free trial: 30 days.")]),
        Document("help", "helpcenter", "https://help.example.test/a/1", "Trial",
                 [Region("body", "Your trial lasts 14 days.")]),
        Document("mail", "email", "emails/welcome.eml#part=2", "Welcome",
                 [Region("subject", "Welcome to AcmeCloud"), Region("body", "Hi …, your 14-day trial")]),
    ]


def sample_failures() -> list[Failure]:
    return [
        Failure("site", "https://example.test/missing", "http_4xx", "404 Not Found", 404),
        Failure("help", "https://help.example.test/slow", "timeout", "no answer after 30 s"),
    ]


def trial(touchpoint: str, url: str, days: int, text: str, sentence: str) -> Observation:
    return Observation("trial_length", {"days": days}, text, loc(touchpoint, url, "body", text, sentence),
                       "", f"{days} days", "context 'trial' in its clause")


def sample_run() -> RunSpec:
    """Two term findings, one language, a trial-length conflict and a consistent price."""
    obs = [
        trial("site", "https://example.test/", 14, "14 days", "Try acme cloud free for 14 days."),
        trial("site", "https://example.test/pricing", 30, "30 days", "Free trial: 30 days."),
        trial("help", "https://help.example.test/a/1", 14, "14 days", "Your trial lasts 14 days."),
        trial("mail", "emails/welcome.eml#part=2", 14, "14-day", "Hi …, your 14-day trial"),
        Observation("price", 29.0, "$29", loc("site", "https://example.test/pricing", "body", "$29",
                                                "Pro costs $29 per month.", title="Pricing"),
                    "pro", "$29.00"),
    ]
    return RunSpec(
        findings=[
            term("brand-name", loc("site", "https://example.test/", "body", "acme cloud",
                                   "Try acme cloud free for 14 days.", title="Home"), severity="error"),
            term("brand-name", loc("mail", "emails/welcome.eml#part=2", "subject", "AcmeCloud",
                                   "Welcome to AcmeCloud", title="Welcome"), status="open"),
            term("no-sign-in", loc("help", "https://help.example.test/a/1", "body", "trial",
                                   "Your trial lasts 14 days."), kind="language", severity="info",
                 expected=None, message="Say 'free period'", status="ignored"),
            fact("trial-length", "trial_length", "", obs[:4], expected="14 days"),
        ],
        observations=obs,
    )


@pytest.fixture
def make_store(tmp_path: Path) -> Callable[..., Path]:
    """make_store(*runs, documents=..., failures=...) -> path of a new store in tmp_path."""
    counter = iter(range(1000))

    def make(*runs: RunSpec, **kw) -> Path:
        path = tmp_path / f"store{next(counter)}.db"
        kw.setdefault("documents", sample_documents())
        kw.setdefault("failures", sample_failures())
        build_store(path, runs or [sample_run()], **kw)
        return path

    return make


def large_run(places: int = 20_000, pages: int = 400) -> RunSpec:
    """A real-sized report: ``places`` term and language places over ``pages`` pages of three
    touchpoints (7 rules, 30 wordings each at most), some in a repeated footer, and facts with
    ten or more values each, stated on many pages."""
    tps = ("site", "help", "mail")
    findings: list[Finding] = []
    for i in range(places):
        rule = f"rule-{i % 7}"
        text = f"Acme{'-' if i % 2 else ' '}Cloud{i % 30}"
        sentence = f"On page {i % pages}, try {text} today: item {i}."
        location = loc(tps[i % pages % 3], f"https://example.test/p{i % pages}", "body", text, sentence,
                       title=f"Page {i % pages}")
        kind = "language" if i % 7 == 6 else "term"
        findings.append(term(rule, location, severity=("error", "warning", "info")[i % 7 % 3], kind=kind,
                             expected="Acme Cloud", status=("new", "open")[i % 2]))
    observations: list[Observation] = []
    for f in range(12):
        obs = []
        for j in range(60):
            days = 14 + (j % (10 + f % 3))
            text = f"{days} days"
            sentence = f"Fact {f}: the trial lasts {text} on page {j}."
            obs.append(Observation(f"fact-{f}", {"days": days}, text,
                                   loc(tps[j % 3], f"https://example.test/p{j}", "body", text, sentence,
                                       title=f"Page {j}"), "", text, "context 'trial' in its clause"))
        observations += obs
        findings.append(fact(f"fact-{f}", f"fact-{f}", "", obs))
    return RunSpec(findings=findings, observations=observations)
