"""Text as stored: whitespace-normalized once, with merge tags replaced by an ellipsis.

Every offset in the project refers to text produced here, so nothing downstream may change it.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")

# Merge tags of the common template languages: Jinja/Liquid/Handlebars/Mustache ({{ }}, {% %},
# {{{ }}}, {# #}), EEx/ERB/ASP (<% %>), Mailchimp (*|FNAME|*), Mailgun (%recipient.name%),
# SendGrid/Marketo-style (-first_name-, {{{ }}}), HEEx / Razor-style interpolations ({@x}, {x.y()})
# and Campaign Monitor / ActiveCampaign ([firstname], %FIRSTNAME%).
MERGE_TAG = re.compile(
    r"""
      \{\{\{.*?\}\}\}              # {{{ raw }}}
    | \{\{.*?\}\}                  # {{ var }}
    | \{%.*?%\}                    # {% tag %}
    | \{\#.*?\#\}                  # {# comment #}
    | <%.*?%>                      # <% eex %>
    | \*\|[A-Z0-9_:]+\|\*          # *|FNAME|*
    | %recipient(?:\.[A-Za-z0-9_]+)?%   # %recipient.name%
    | %%?[A-Z][A-Z0-9_]{2,}%%?     # %FIRSTNAME% / %%NAME%%
    | \$\{[^}\n]{1,80}\}           # ${var}
    | \{@[^{}\n]{1,120}\}          # {@site.domain} (HEEx)
    | \{[A-Z][\w.]*\([^{}\n]{0,120}\)\}   # {Module.fun(assigns)} (HEEx)
    | \[\[?[a-z_][a-z0-9_]{1,40}\]\]?  # [firstname] / [[name]]
    """,
    re.VERBOSE | re.DOTALL,
)


def normalize(text: str) -> str:
    """Fold runs of white space to one space, keep line breaks as single ``\\n``, strip ends."""
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip(" \n")


def strip_merge_tags(text: str) -> tuple[str, list[tuple[str, int]]]:
    """Replace each merge tag by ``…`` and return the new text and the tags with positions.

    The position of a tag is the offset of its ``…`` in the returned text.
    """
    tags: list[tuple[str, int]] = []
    out: list[str] = []
    last = 0
    length = 0
    for m in MERGE_TAG.finditer(text):
        chunk = text[last : m.start()]
        out.append(chunk)
        length += len(chunk)
        tags.append((m.group(0), length))
        out.append(ELLIPSIS)
        length += len(ELLIPSIS)
        last = m.end()
    out.append(text[last:])
    return "".join(out), tags


def clean(text: str, merge_tags: bool = False) -> tuple[str, list[tuple[str, int]]]:
    """Normalize text for storage; with ``merge_tags`` also take template tags out of it."""
    if not merge_tags:
        return normalize(text), []
    # Tags first (a tag may span lines), then white space, then tag positions are re-found.
    replaced, tags = strip_merge_tags(text)
    normalized = normalize(replaced)
    positions = [i for i, ch in enumerate(normalized) if ch == ELLIPSIS]
    # Ellipses that were in the source text are not tags: pair tags with the ones we inserted
    # in order; normalization never removes an ellipsis, so counts line up from the end.
    extra = len(positions) - len(tags)
    inserted = _inserted_positions(replaced, tags, positions, extra)
    return normalized, [(tag, pos) for (tag, _), pos in zip(tags, inserted, strict=True)]


def _inserted_positions(
    replaced: str, tags: list[tuple[str, int]], positions: list[int], extra: int
) -> list[int]:
    if extra == 0:
        return positions
    # Map each inserted ellipsis (by its rank among all ellipses in `replaced`) to `positions`.
    all_before = [i for i, ch in enumerate(replaced) if ch == ELLIPSIS]
    rank = {pos: r for r, pos in enumerate(all_before)}
    return [positions[rank[pos]] for _, pos in tags]


def sentence_around(text: str, start: int, end: int, limit: int = 240) -> tuple[str, int]:
    """The sentence (or line) containing ``text[start:end]``, and the offset where it begins."""
    left = max(text.rfind("\n", 0, start), *(text.rfind(p, 0, start) for p in (". ", "! ", "? ")))
    begin = 0 if left < 0 else left + (1 if text[left] == "\n" else 2)
    stops = [i for i in (text.find("\n", end), *(text.find(p, end) for p in (". ", "! ", "? ")))
             if i >= 0]
    finish = min(stops) + 1 if stops else len(text)
    if finish - begin > limit:
        begin = max(begin, start - limit // 2)
        finish = min(finish, end + limit // 2)
    return text[begin:finish].strip(), begin + (len(text[begin:finish]) - len(text[begin:finish].lstrip()))
