"""The shared pipeline's NORM: each known word form's lemma, given lazily (audit/nlp.py)."""

from __future__ import annotations

import random

import spacy

from audit.nlp import lemma_table, pipeline


def _eager() -> spacy.language.Language:
    """What the pipeline did before norms were lazy: every form of the table set up front."""
    nlp = spacy.blank("en")
    for word, lemma in lemma_table().items():
        for form in {word, word.capitalize(), word.upper()}:
            nlp.vocab[form].norm_ = lemma
    return nlp


def test_lazy_lemma_norms_equal_the_eager_ones_on_every_case_of_a_sample():
    eager, lazy = _eager(), pipeline()
    words = random.Random(3).sample(sorted(lemma_table()), 3_000)
    forms = [f for w in words for f in (w, w.capitalize(), w.upper(), w.title(), w[:1] + w[1:].upper())]
    forms += ["CloudSync", "Cloudsync", "’s", "n't", "Don't", "e-mail", "E-Mail", "GONNA", "xyzzy"]
    assert [f for f in forms if eager.vocab[f].norm_ != lazy.vocab[f].norm_] == []
    text = "Signed in and SIGNING IN, she's logging in; they'd LOGGED in. Don't ’s"
    assert [t.norm_ for t in lazy(text)] == [t.norm_ for t in eager(text)]
    assert [t.norm_ for t in lazy("Signed SIGNING signs")] == ["sign", "sign", "sign"]
