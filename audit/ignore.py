"""The ignore list: findings a human has judged and accepted, kept beside the rules.

Entries match on the same parts as a finding's identity (rule, URL pattern, text), so a judged
finding stays judged after the page changes around it. Ignored findings are kept and counted as
``ignored``, never hidden.

```yaml
ignore:
  - rule: product-name
    url: "https://acme.example/legal/*"    # a glob over the URL or path; default: any
    text: Cloud Sync                        # the text as found (any case); default: any
    reason: quoted in the 2019 press release
```
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from audit.errors import InputError
from audit.findings import Finding
from audit.options import Option, load_yaml, validate

ENTRY = [
    Option("rule", "str", "the rule id (or * for any rule)", required=True),
    Option("url", "str", "a glob over the URL or file path (default: any)"),
    Option("text", "str", "the text as found, any case (default: any)"),
    Option("reason", "str", "why the finding is accepted", required=True),
]
FILE = [Option("ignore", "maps", "accepted findings", required=True, table=ENTRY, item="entry")]


@dataclass
class IgnoreEntry:
    rule: str
    url: str | None
    text: str | None
    reason: str

    def matches(self, finding: Finding) -> bool:
        if self.rule not in ("*", finding.rule):
            return False
        for loc in finding.locations or [None]:
            if loc is None:
                return self.url is None and self.text is None
            if self.url and not fnmatch.fnmatchcase(loc.url, self.url):
                continue
            if self.text and self.text.lower() != loc.text.lower():
                continue
            return True
        return False


def load_ignore(path: Path | None) -> list[IgnoreEntry]:
    """Read an ignore list; a missing file is an empty list, a broken one an InputError."""
    if path is None or not path.exists():
        return []
    src = load_yaml(path)
    if src.data is None and not src.problems:
        return []
    raw = validate(src, src.data, FILE, "the ignore list") if not src.problems else {}
    if src.problems:
        raise InputError(src.problems)
    return [IgnoreEntry(e["rule"], e.get("url"), e.get("text"), e["reason"])
            for e in raw.get("ignore") or []]


def apply(findings: list[Finding], entries: list[IgnoreEntry]) -> None:
    """Mark findings that an entry accepts as ignored (in place)."""
    for f in findings:
        for e in entries:
            if e.matches(f):
                f.status = "ignored"
                f.extra["ignored_because"] = e.reason
                break
