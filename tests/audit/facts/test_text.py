from audit.facts import value_type

text = value_type("text")


def test_finds_nothing_without_a_pattern():
    assert text.find("123 Main St., Springfield") == []


def test_finds_pattern_matches_normalized():
    page = "Visit us at 123 Main St., Springfield. Open daily."
    found = text.find(page, pattern=r"\d+ Main St[^.]*\.[^.]*")
    assert [(v.text, v.value) for v in found] == [("123 Main St., Springfield", "123 main st springfield")]
    assert page[found[0].start : found[0].end] == found[0].text


def test_value_group_is_the_value():
    found = text.find("Hours: Mon–Fri 9:00–17:00 CET", pattern=r"Hours: (?P<value>.+)")
    assert found[0].text == "Mon–Fri 9:00–17:00 CET"


def test_match_with_placeholder_is_not_a_value():
    assert text.find("Hours: … to 17:00", pattern=r"Hours: (?P<value>.+)") == []
    assert text.parse("… Main St") is None


def test_parse_normalizes_case_punctuation_and_space():
    assert text.parse("  123 Main  St.,\nSpringfield ").value == "123 main st springfield"


def test_same_is_similarity_with_threshold():
    a = text.parse("123 Main St., Springfield").value
    assert text.same(a, text.parse("123 main st springfield").value)
    b = text.parse("125 Main Street, Springfield").value
    assert not text.same(a, b)
    assert text.same(a, text.parse("123 Main Street, Springfield").value, threshold=80)


def test_numbers_must_be_equal_however_alike_the_wording():
    a = text.parse("220 Harbor Way, Suite 210, San Francisco").value
    assert not text.same(a, text.parse("220 Harbor Way, Suite 300, San Francisco").value, threshold=50)
    assert not text.same(a, text.parse("220 Harbor Way, Suite 210, San Francisco, 94107").value,
                         threshold=50)
    assert text.same(a, text.parse("220 Harbor Way Suite 210 San Francisco").value)
