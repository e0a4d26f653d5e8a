import pytest

from audit.facts import value_type

number = value_type("number")


@pytest.mark.parametrize(
    "text, value",
    [
        ("10 GB", {"number": 10, "unit": "gb"}),
        ("10GB", {"number": 10, "unit": "gb"}),
        ("10 gb", {"number": 10, "unit": "gb"}),
        ("1.5 TB", {"number": 1.5, "unit": "tb"}),
        ("10,000 contacts", {"number": 10000, "unit": "contact"}),
        ("10k contacts", {"number": 10000, "unit": "contact"}),
        ("10 thousand contacts", {"number": 10000, "unit": "contact"}),
        ("1 contact", {"number": 1, "unit": "contact"}),
        ("1.5M pageviews", {"number": 1500000, "unit": "pageview"}),
        ("100 entries", {"number": 100, "unit": "entry"}),
        ("5 seats", {"number": 5, "unit": "seat"}),
        ("2026", {"number": 2026, "unit": None}),
    ],
)
def test_finds_number_with_unit(text, value):
    assert [(v.text, v.value) for v in number.find(text)] == [(text, value)]


@pytest.mark.parametrize(
    "text",
    ["version 2.0", "v2.0", "2.0.1", "$10 users", "USD 10", "10 EUR", "49 $", "20% off", "2026-03-03",
     "10:30", "Call 415-555-0100", "#123", "H2O", "…10 users", "10… users", "10 …"],
)
def test_finds_no_number(text):
    assert number.find(text) == []


def test_function_words_are_not_units():
    assert [v.value for v in number.find("up to 10 of them")] == [{"number": 10, "unit": None}]


def test_plan_limit_spellings_are_one_value():
    spellings = ["10,000 contacts", "10k contacts", "10K Contacts", "10000 contact", "10 thousand contacts"]
    assert {str(number.parse(s).value) for s in spellings} == {str({"number": 10000, "unit": "contact"})}


def test_unit_option_keeps_one_unit_any_case():
    found = number.find("10 GB storage, 20 gb backups, 5 users", unit="GB")
    assert [v.value for v in found] == [{"number": 10, "unit": "gb"}, {"number": 20, "unit": "gb"}]


def test_unit_option_may_be_several_words():
    found = number.find("10k monthly pageviews, then 20 GB", unit="monthly pageviews")
    assert [(v.text, v.value) for v in found] == [
        ("10k monthly pageviews", {"number": 10000, "unit": "monthly pageview"})
    ]


def test_display_keeps_the_unit_as_written():
    assert number.parse("10000 GB").display == "10,000 GB"
    assert number.parse(10000).value == {"number": 10000, "unit": None}
