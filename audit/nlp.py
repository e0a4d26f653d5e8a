"""The spaCy pipeline every rule shares: tokens, and a lower-cased lemma in each token's NORM.

By default a blank English pipeline (rule-based tokenizer) plus the lookup lemma table from
spacy-lookups-data set as each word's NORM, so nothing needs a downloaded model; a trained pipeline (e.g.
``en_core_web_sm``) can be named instead and then also gives part-of-speech tags.
Matching on NORM (= lemma, lower-cased) lets "sign in" rules catch "Signed in" and "signing in".
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import spacy
import spacy_lookups_data
import srsly
from spacy.attrs import NORM
from spacy.language import Language
from spacy.tokens import Doc

LOOKUPS = Path(spacy_lookups_data.__file__).parent / "data"  # spacy-lookups-data's tables
TOKENIZER_CACHE = 200_000  # tokenized strings spaCy keeps (its default: 10,000)
ENGLISH_WORDS_MIN = 3  # words shorter than this never count as "English" for near-miss filtering


@functools.lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """lower-cased word -> lemma, from spacy-lookups-data's English lookup table."""
    table = srsly.read_gzip_json(LOOKUPS / "en_lemma_lookup.json.gz")
    return {str(k).lower(): str(v).lower() for k, v in table.items()}


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words (forms and lemmas): near-miss brand detection never reports these."""
    table = lemma_table()
    words = {*table.keys(), *table.values()}
    for pos_words in srsly.read_gzip_json(LOOKUPS / "en_lemma_index.json.gz").values():
        words.update(w.lower() for w in pos_words)
    return frozenset(w for w in words if len(w) >= ENGLISH_WORDS_MIN and "_" not in w)


@functools.lru_cache(maxsize=4)
def pipeline(model: str | None = None) -> Language:
    """The shared pipeline: a blank English one by default, or a trained one when named."""
    if model:
        nlp = spacy.load(model, exclude=["ner", "parser", "textcat"])
    else:
        nlp = spacy.blank("en")
    set_lemma_norms(nlp)
    nlp.max_length = PIECE + 1  # longer texts go through parse(), in pieces
    # spaCy caches the tokenization of 10,000 strings by default; rule patterns alone can fill
    # that before the first page arrives, and then no word of the corpus is ever cached.
    if hasattr(nlp.tokenizer, "max_cache_size"):
        nlp.tokenizer.max_cache_size = TOKENIZER_CACHE
    return nlp


_FLUSHED: set[int] = set()  # pipelines whose tokenizer cache was emptied of rule patterns


def forget_patterns(nlp: Language) -> None:
    """Empty the tokenizer's cache after the first rule patterns were tokenized, so it fills with
    the corpus's words instead (spaCy keeps no public call for it: skipped when there is none).
    Once per pipeline: a process that audits again (``audit --watch``) keeps the corpus's words
    cached, and the patterns of edited rules are few."""
    if id(nlp) in _FLUSHED:
        return
    _FLUSHED.add(id(nlp))
    flush = getattr(nlp.tokenizer, "_flush_cache", None)
    if callable(flush):
        flush()


def set_lemma_norms(nlp: Language) -> None:
    """Give each known word form (as written, Capitalized and UPPER) its lemma as NORM.

    Installed as the vocabulary's NORM getter, so a word's norm is computed once, when the word
    is first met (spaCy keeps it on the lexeme), not for all 125,000 forms of the table up front;
    words the table does not know keep spaCy's default norm, their lower-case form.
    """
    vocab = nlp.vocab
    vocab.lex_attr_getters[NORM] = functools.partial(_lemma_norm, vocab.lex_attr_getters[NORM],
                                                     lemma_table())
    for lexeme in vocab:  # the few words the blank pipeline already made (tokenizer exceptions)
        lexeme.norm_ = vocab.lex_attr_getters[NORM](lexeme.orth_)


def _lemma_norm(default: Callable[[str], str], table: dict[str, str], word: str) -> str:
    low = word.lower()
    lemma = table.get(low)
    if lemma is not None and (word == low or word == low.upper() or word == low.capitalize()):
        return lemma
    return default(word)


def has_tags(nlp: Language) -> bool:
    """Whether the pipeline assigns part-of-speech tags (only trained pipelines do)."""
    return any(name in ("tagger", "morphologizer") for name in nlp.pipe_names)


PIECE = 1_000_000  # characters tokenized at once (spaCy's own default limit)


def pieces(text: str, size: int = PIECE) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters that join back to it exactly: at
    the last line break (blocks never span one), else the last space, else anywhere."""
    out = []
    start = 0
    while len(text) - start > size:
        end = start + size
        cut = text.rfind("\n", start + 1, end)
        if cut < 0:
            cut = max(text.rfind(" ", start + 1, end), text.rfind("\t", start + 1, end))
        cut = cut + 1 if cut >= 0 else end
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


def parse(nlp: Language, texts: Iterable[str], batch_size: int = 256) -> Iterator[Doc]:
    """``nlp.pipe`` for texts of any length: a text longer than a piece (a 6 MB page) is
    tokenized piece by piece and the pieces joined into one Doc over the whole text, so offsets
    are the text's and a phrase across a cut is matched as if there were none."""
    texts = list(texts)
    short = iter(nlp.pipe((t for t in texts if len(t) <= PIECE), batch_size=batch_size))
    for text in texts:
        if len(text) <= PIECE:
            yield next(short)
        else:
            yield Doc.from_docs(list(nlp.pipe(pieces(text))), ensure_whitespace=False)
