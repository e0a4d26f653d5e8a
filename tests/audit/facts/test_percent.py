import pytest

from audit.facts import value_type

percent = value_type("percent")


@pytest.mark.parametrize(
    "text, value",
    [
        ("99.9%", 99.9),
        ("99.9 %", 99.9),
        ("99.9 percent", 99.9),
        ("99.9 per cent", 99.9),
        ("99.90%", 99.9),
        ("99,9 %", 99.9),
        ("50 Percent", 50.0),
        ("100%", 100.0),
        ("1,000%", 1000.0),
    ],
)
def test_finds_normalized_percent(text, value):
    assert [(v.text, v.value) for v in percent.find(text)] == [(text, value)]


@pytest.mark.parametrize("text", ["version 2.0", "99.9", "…%", "…5%", "5%…", "5 percentage points"])
def test_finds_no_percent(text):
    assert percent.find(text) == []


def test_uptime_spellings_are_one_value():
    assert {percent.parse(s).value for s in ["99.9%", "99.9 percent", "99.9 per cent", "99.90 %"]} == {99.9}


def test_parse_takes_a_bare_number_as_a_percentage():
    assert percent.parse("99.9").value == 99.9
    assert percent.parse(15).display == "15%"
    assert percent.parse("15% off") is None


def test_finds_each_percentage_in_order():
    assert [v.value for v in percent.find("Is a 20% or 30% bounce rate bad?")] == [20.0, 30.0]
