from audit.text import clean, normalize, sentence_around


def test_whitespace_is_folded_once_and_lines_kept():
    assert normalize("  Hello\u00a0\t world \n\n  next  ") == "Hello world\nnext"


def test_merge_tags_become_an_ellipsis_and_are_kept_with_their_position():
    text, tags = clean("Hi {{ first_name }}, welcome to *|COMPANY|* and %recipient.name%!", True)
    assert text == "Hi …, welcome to … and …!"
    assert tags == [("{{ first_name }}", 3), ("*|COMPANY|*", 17), ("%recipient.name%", 23)]
    assert all(text[pos] == "…" for _, pos in tags)


def test_an_ellipsis_in_the_source_is_not_a_tag():
    text, tags = clean("Wait… {% if x %}yes{% endif %}", True)
    assert text == "Wait… …yes…"
    assert [p for _, p in tags] == [6, 10]


def test_sentence_around_a_match():
    t = "First one. Hi there CloudSync is great! Next"
    snippet, start = sentence_around(t, 20, 29)
    assert snippet == "Hi there CloudSync is great!"
    assert t[start:].startswith(snippet)
