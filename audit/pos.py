"""Noun or verb? A rule-based judgement for ``allow_as_noun`` when no trained tagger is loaded.

"Your login" names a thing; "login to your account" is an action written as one word. Without a
tagger, the words around the phrase decide, in the order a reader weighs them: the form itself
(a plural or a hyphenated compound names things), what stands right before it (a modal, "to" or
a subject makes a verb; a determiner, possessive, preposition or adjective makes a noun), what
follows it (an object makes a verb; a verb or a noun it modifies makes a noun), then the place
(a button is a command; a title, heading or line of its own names something). Word classes come
from spacy-lookups-data's part-of-speech index (WordNet's lemmas), so no model is downloaded.

Measured on tests/rules/language/pos_labelled.yaml (see tests/rules/test_noun_or_verb.py).
"""

from __future__ import annotations

import functools

import srsly
from spacy.tokens import Span

from audit.nlp import LOOKUPS

MODALS = {"can", "could", "will", "would", "should", "must", "may", "might", "shall", "'ll", "’ll",
          "'d", "’d", "do", "does", "did", "don't", "doesn't", "didn't", "ca", "wo", "n't", "n’t",
          "cannot", "please", "let's", "let’s", "lets", "then", "simply", "just", "easily", "also",
          "always", "never", "to"}
SUBJECTS = {"i", "you", "we", "they", "he", "she", "who", "users", "customers", "teams", "people",
            "admins", "members", "staff"}
DETERMINERS = {"a", "an", "the", "your", "my", "our", "their", "his", "her", "its", "this", "these",
               "those", "each", "every", "any", "no", "some", "another", "one", "two", "three",
               "four", "five", "first", "last", "next", "same", "whole", "entire", "new", "old",
               "previous", "current", "single", "separate", "own", "other", "many", "several",
               "most", "more", "fewer", "less", "all", "both", "which", "whose", "what"}
PREPOSITIONS = {"after", "before", "at", "during", "for", "of", "with", "without", "on", "via",
                "through", "from", "into", "upon", "about", "per", "by", "under", "over", "between",
                "since", "until", "till", "like", "than", "in", "throughout", "despite"}
# After these, "to X" is a destination ("proceed to checkout"), not an infinitive.
DESTINATIONS = {"go", "goes", "going", "went", "gone", "proceed", "proceeds", "proceeding", "return",
                "returns", "redirect", "redirects", "redirected", "navigate", "head", "continue",
                "continues", "move", "moved", "taken", "sent", "welcome", "back", "straight", "way",
                "path", "added", "add", "link", "links", "leads", "lead", "jump", "skip", "visit",
                "visits", "access", "traffic", "request", "requests", "directly"}
COPULAS = {"is", "are", "was", "were", "be", "been", "being", "'s", "’s", "'re", "’re"}
OBJECTS = {"your", "the", "a", "an", "my", "our", "their", "it", "them", "this", "these", "those",
           "all", "every", "any", "his", "her", "me", "us", "everything", "each", "both", "new"}
VERB_NEXT = {"to", "with", "via", "using", "into", "now", "again", "here", "today", "instantly",
             "automatically", "later", "directly", "securely", "once", "quickly", "free", "right",
             "anytime", "below", "above", "yourself", "manually", "regularly", "first", "before",
             "as", "up"}
NOUN_NEXT = {"in", "on", "at", "for", "of", "is", "are", "was", "were", "has", "have", "had", "will",
             "can", "could", "should", "may", "might", "must", "would", "'s", "’s", "and", "or",
             "&", "|", "that", "which", "did", "does", "do", "fails", "failed", "works", "worked",
             "takes", "took", "happens", "happened", "means", "needs", "requires", "runs", "ran",
             "starts", "started", "ends", "ended", "completes", "completed", "closes", "opens",
             "expires", "expired", "succeeds", "succeeded", "shows", "uses", "includes", "gives",
             "lets", "keeps", "saves", "stays", "goes", "comes", "depends", "counts", "appears",
             "remains", "rose", "dropped", "fell", "grew", "complete", "unavailable", "done",
             "ready", "required", "pending", "successful", "options", "settings"}


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    """part of speech -> lemmas (WordNet's, from spacy-lookups-data)."""
    raw = srsly.read_gzip_json(LOOKUPS / "en_lemma_index.json.gz")
    return {pos: frozenset(w.lower() for w in words) for pos, words in raw.items()}


def word_classes(word: str) -> set[str]:
    """The parts of speech a word form can have (noun, verb, adj, adv), by its lemma."""
    word = word.lower()
    index = _index()
    out = {pos for pos, words in index.items() if word in words}
    for suffix, base, pos in (("s", "", "noun"), ("es", "", "noun"), ("ies", "y", "noun"),
                              ("s", "", "verb"), ("ed", "", "verb"), ("ed", "e", "verb"),
                              ("ing", "", "verb"), ("ing", "e", "verb")):
        if word.endswith(suffix) and word[: -len(suffix)] + base in index.get(pos, ()):
            out.add(pos)
    return out


_ADJ_SUFFIXES = ("less", "ful", "ous", "ive", "able", "ible", "ic", "al", "ish")


def _guessed_classes(word: str) -> set[str]:
    """Word classes of a word the index lacks, by its ending (passwordless, cloudful)."""
    return {"adj"} if word.endswith(_ADJ_SUFFIXES) and len(word) > 5 else set()


def _word(tokens: list[str], i: int) -> str:
    return tokens[i].lower() if 0 <= i < len(tokens) else ""


def noun_or_verb(before: list[str], phrase: str, after: list[str], where: str = "body",
                 line_alone: bool = False, question: bool = False, slashed: bool = False) -> str:
    """'noun' (adjectives included: "the login page") or 'verb' for ``phrase`` as written between
    ``before`` and ``after`` (the words of its sentence), in a ``where`` of body, heading, title
    or button; ``line_alone``: the phrase is the whole line; ``question``: its sentence asks;
    ``slashed``: a slash joins it to its neighbour ("login/logout")."""
    phrase = phrase.lower()
    closed = not any(c.isspace() for c in phrase)  # login, log-in: one word; log in: a phrase
    p, p2, p3 = (_word(before, len(before) - k) for k in (1, 2, 3))
    n, n2 = _word(after, 0), _word(after, 1)
    # 1. Right before it: what makes a verb, or a noun.
    if p == "to":
        if p2 in DESTINATIONS:
            return "noun"  # "proceed to checkout"
        if closed and n and word_classes(n) == {"noun"}:
            return "noun"  # a compound after "to": "contributing to setup errors"
        return "verb"
    if p in ("not", "n't", "n’t"):
        return "noun" if p2 in COPULAS else "verb"  # "isn't setup" / "can't login"
    if p in MODALS or p in SUBJECTS:
        return "verb"
    if p == "that":
        return "verb" if (n in OBJECTS or n in VERB_NEXT) else "noun"
    if p in DETERMINERS or p.endswith(("'s", "’s")) or p in PREPOSITIONS:
        return "noun"
    if question and p3 in MODALS and p2 in DETERMINERS:
        return "verb"  # a question's subject before it: "why does the app logout?"
    for k in range(2, 5):  # modifiers between a determiner and it: "the full setup",
        w = _word(before, len(before) - k)  # "your analytics setup", "this custom properties setup"
        if w in DETERMINERS or w.endswith(("'s", "’s")):
            return "noun"
        if not w or w in MODALS or w in SUBJECTS or w in PREPOSITIONS or w == "to":
            break
    if slashed:
        return "noun"  # one of a list of things: "Login/logout/2FA"
    if p.endswith("ing") and "verb" in word_classes(p):
        return "noun"  # the object of a gerund: "starting login", "during checking out"
    # 2. The form: an open phrasal verb is a verb unless a determiner made it a noun above;
    # plurals and hyphenated compounds name things.
    if not closed:
        return "verb"
    if phrase.endswith("s") or "-" in phrase:
        return "noun"
    if p and p not in ("and", "or"):
        classes = word_classes(p) or _guessed_classes(p)
        if before[-1][:1].isupper() and len(before) > 1 and where == "body":
            return "noun"  # a name before it: "Windows logon", "SSO login"
        if "-" in p or "adj" in classes and "verb" not in classes or p.endswith("ed"):
            return "noun"  # "one-click signup", "a quick setup", "failed logins", "guided setup"
        if "verb" in classes and len(before) == 1 and not before[0][:1].islower():
            return "noun"  # the object of a command: "Start setup", "Finish setup first"
        if "noun" in classes and "verb" not in classes:
            return "noun"  # a compound: "office setup", "event signup"
    # 3. Right after it.
    if n in OBJECTS or n in VERB_NEXT:
        return "verb"
    if n in NOUN_NEXT or n.endswith(("'s", "’s")) or n in PREPOSITIONS:
        return "noun"
    if not before and n.isalpha() and n2.isalpha() and "adj" in (word_classes(n) or _guessed_classes(n)) \
            and "noun" in word_classes(n2):
        return "verb"  # an instruction with its object: "Setup automatic replies"
    if n:
        classes = word_classes(n)
        if "noun" in classes and not classes & {"adv"}:
            return "noun"  # it modifies a noun: "login page", "setup steps"
        if "verb" in classes and n.endswith("s"):
            return "noun"  # it is the subject: "signup takes"
    # 4. The place.
    if where == "button":
        return "verb" if not before else "noun"
    if where in ("title", "heading") or line_alone:
        return "noun"
    if not before:
        return "verb"  # an instruction: "Login to continue."
    return "noun" if closed else "verb"


def used_as_noun(span: Span, tagged: bool, where: str = "body") -> bool:
    """Whether a span is used as a noun (or as a noun's modifier): the tagger says so, or the
    words around it do (``noun_or_verb``)."""
    if tagged:
        return span.root.pos_ in ("NOUN", "PROPN", "ADJ")
    doc = span.doc
    start, end = span.start, span.end
    lo = start
    while lo > 0 and not _boundary(doc[lo - 1]):
        lo -= 1
    hi = end
    while hi < len(doc) and not _boundary(doc[hi]):
        hi += 1
    before: list[str] = []
    for t in doc[lo:start]:  # hyphenated words stay one: "one-click", "two-step"
        if t.text == "-" and before and t.i + 1 < start and not t.whitespace_:
            before[-1] += "-"
        elif before and before[-1].endswith("-"):
            before[-1] += t.text
        elif not t.is_punct or t.text in ("'s", "’s"):
            before.append(t.text)
    after = [t.text for t in doc[end:hi] if not t.is_punct or t.text in ("&", "|")]
    line_alone = not before and not after
    question = hi < len(doc) and doc[hi].text == "?"
    slashed = (start > 0 and doc[start - 1].text == "/") or (end < len(doc) and doc[end].text == "/")
    return noun_or_verb(before, span.text, after, where, line_alone, question, slashed) == "noun"


def _boundary(token: object) -> bool:
    """A sentence or line boundary: the words around a phrase stop there."""
    text = getattr(token, "text", "")
    return getattr(token, "is_space", False) or "\n" in text or text in (".", "!", "?", ":", ";", "|", "—",
                                                                         ",", "(", ")")
