"""Text as stored: whitespace-normalized once, with merge tags replaced by an ellipsis.

Every offset in the project refers to text produced here, so nothing downstream may change it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

ELLIPSIS = "…"

_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*")

# Merge tags of the common template languages. Each alternative is bounded (no tag spans more than
# ~1,000 characters) so a stray opener never swallows a paragraph. Order matters: longer openers
# first at the same position ({{{ before {{).
MERGE_TAG = re.compile(
    r"""
      \{\{\{.{0,1000}?\}\}\}                        # Handlebars/Mustache raw: {{{ unsubscribe }}}
    | \{\{(?:[^{}]|\}(?!\})|\{[^{}]{0,200}\}){0,1000}?\}\}  # Jinja/Liquid/Handlebars: {{ name }},
                                                    # Braze {{${first_name}}}
    | \{%.{0,1000}?%\}                              # Jinja/Liquid/Django blocks: {% if x %}, {%- endif -%}
    | \{\#.{0,1000}?\#\}                            # Jinja comments: {# note #}
    | <%.{0,1000}?%>                                # EEx/ERB/ASP: <%= @name %>, <% end %>
    | %%=.{0,500}?=%%                               # AMPscript inline: %%=v(@name)=%%
    | %%\[.{0,1000}?\]%%                            # AMPscript block: %%[ set @x = 1 ]%%
    | %%[A-Za-z_][\w.]{0,60}%%                      # Salesforce/ExactTarget: %%FirstName%%
    | \*\|[A-Za-z0-9_:]{1,60}\|\*                   # Mailchimp: *|FNAME|*, *|MC:SUBJECT|*
    | %recipient(?:[._][A-Za-z0-9_]{1,60})?%        # Mailgun: %recipient.name%, %recipient_fname%
    | %[a-z][a-z0-9]*(?:_[a-z0-9]+){1,5}%           # Mailgun/ESP variables: %unsubscribe_url%
    | %[A-Z][A-Z0-9_]{2,60}%                        # ActiveCampaign/Sendinblue: %FIRSTNAME%
    | \$\{[^{}\n]{1,80}\}                           # Freemarker/JS templates: ${user.name}
    | \#\{[^{}\n]{1,120}\}                          # Elixir/Ruby interpolation: #{site.domain}
    | \{@[^{}\n]{1,120}\}                           # HEEx assigns: {@site.domain}
    | \{\$[^{}\n]{1,120}\}                           # Smarty: {$name}
    | \{[A-Z][\w.]*\([^{}\n]{0,120}\)\}             # HEEx calls: {PlausibleWeb.EmailView.greet(assigns)}
    | \{[a-z_][\w.]{0,60}(?:\([^{}\n]{0,120}\))?\}   # HEEx/format placeholders: {visitors}, {url()}
    | \{(?:if|unless|case)\s[^{}\n]{1,120}\}          # HEEx inline: {if n > 1, do: "s"}
    | (?<![\w-])-[a-z][a-z0-9]*(?:_[a-z0-9]+)+-(?![\w-])  # SendGrid legacy: -first_name- (an _
                                                    # is required, so hyphenated prose never matches)
    | \[[a-z_][a-z0-9_]{1,40}(?:,\s?fallback=[^\]\n]{0,80})?\](?!\()  # Campaign Monitor:
                                                    # [firstname,fallback=]; not a Markdown [link](…)
    | \[\[[a-z_][a-z0-9_]{1,40}\]\]                  # [[name]]
    """,
    re.VERBOSE | re.DOTALL,
)


def normalize(text: str) -> str:
    """Fold runs of white space to one space, keep line breaks as single ``\\n``, strip ends."""
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip(" \n")


@functools.lru_cache(maxsize=32)
def merge_tag_pattern(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """MERGE_TAG plus a touchpoint's own syntaxes (``merge_tags:`` in the config, e.g. SendGrid's
    ``-[a-z]+-``), tried first, each with its own flags (the built-in pattern is verbose)."""
    if not extra:
        return MERGE_TAG
    own = "|".join(f"(?-x:{p})" for p in extra)
    return re.compile(f"{own}|{MERGE_TAG.pattern}", re.VERBOSE | re.DOTALL)


def strip_merge_tags(text: str, pattern: re.Pattern[str] = MERGE_TAG) -> tuple[str, list[tuple[str, int]]]:
    """Replace each merge tag by ``…`` and return the new text and the tags with positions.

    The position of a tag is the offset of its ``…`` in the returned text.
    """
    tags: list[tuple[str, int]] = []
    out: list[str] = []
    last = 0
    length = 0
    for m in pattern.finditer(text):
        chunk = text[last : m.start()]
        out.append(chunk)
        length += len(chunk)
        tags.append((m.group(0), length))
        out.append(ELLIPSIS)
        length += len(ELLIPSIS)
        last = m.end()
    out.append(text[last:])
    return "".join(out), tags


def clean(text: str, merge_tags: bool = False,
          pattern: re.Pattern[str] = MERGE_TAG) -> tuple[str, list[tuple[str, int]]]:
    """Normalize text for storage; with ``merge_tags`` also take template tags out of it."""
    if not merge_tags:
        return normalize(text), []
    # Tags first (a tag may span lines), then white space, then tag positions are re-found.
    replaced, tags = strip_merge_tags(text, pattern)
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


_OPENERS = "\"'“‘(«[*•·–—-"


def starts_sentence(text: str, start: int) -> bool:
    """Whether ``text[start:]`` starts a sentence: a line start or after . ! ? : (quotes,
    brackets and list bullets between them are passed over)."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start].rstrip().rstrip(_OPENERS).rstrip()
    return not before or before[-1] in ".!?:"


def _title_case(line: str) -> bool:
    """A line written in Title Case (a heading or label style): most longer words capitalized."""
    if len(line) > 160:
        return False  # a paragraph, not a title
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", line) if len(w) > 3]
    if not words:
        return False
    capped = sum(1 for w in words if w[0].isupper())
    return capped >= 2 and capped >= 0.8 * len(words)


def _in_capitals(line: str) -> bool:
    if len(line) > 200:
        return line.isupper()
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)


def grammar_place(region: Any, start: int, end: int,
                  scopes: frozenset[str] = frozenset()) -> tuple[bool, bool, bool]:
    """What grammar asks of capitals at ``[start, end)`` of a region: (starts a sentence, Title Case
    is usual here — a title, heading, button or a Title Case line —, the line is in capitals)."""
    text = region.text
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start: len(text) if line_end < 0 else line_end]
    title = (region.name in ("title", "heading", "subject") or bool(scopes & {"button"})
             or _title_case(line))
    return starts_sentence(text, start), title, _in_capitals(line)
