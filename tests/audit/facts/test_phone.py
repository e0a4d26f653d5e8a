import pytest

from audit.facts import value_type

phone = value_type("phone")


@pytest.mark.parametrize(
    "text, value, display",
    [
        ("(415) 555-0100", "+14155550100", "+1 415-555-0100"),
        ("415.555.0100", "+14155550100", "+1 415-555-0100"),
        ("+1 415 555 0100", "+14155550100", "+1 415-555-0100"),
        ("1-800-555-0100", "+18005550100", "+1 800-555-0100"),
        ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
        ("+1 (415) 555-0100 ext. 12", "+14155550100;ext=12", "+1 415-555-0100 ext. 12"),
    ],
)
def test_finds_normalized_phone(text, value, display):
    found = phone.find(f"Call us at {text} today.")
    assert [(v.text, v.value, v.display) for v in found] == [(text, value, display)]


@pytest.mark.parametrize(
    "text",
    ["2026", "in 2026 we", "$49.00", "10,000,000 pageviews", "2026-03-03", "03/03/2026", "version 2.0.1",
     "order 4155550100", "Chrome/85.0.4183.121 Safari", "v1.415.555.0100", "555-0100", "… 555-0100",
     "(415) 555-0100…"],
)
def test_finds_no_phone(text):
    assert phone.find(text) == []


def test_region_option_reads_national_numbers():
    assert phone.find("020 7946 0958", region="GB")[0].value == "+442079460958"
    assert phone.find("020 7946 0958", region="US") == []


def test_formats_of_one_number_are_one_value():
    spellings = ["(415) 555-0100", "415-555-0100", "+1 415 555 0100", "tel:+14155550100", "4155550100"]
    assert {phone.parse(s).value for s in spellings} == {"+14155550100"}


def test_parse_rejects_text_and_invalid_numbers():
    assert phone.parse("call 415-555-0100") is None
    assert phone.parse("2026") is None
