import pytest

from audit.facts import value_type

date = value_type("date")


@pytest.mark.parametrize(
    "text, written, value",
    [
        ("March 3, 2026", "March 3, 2026", "2026-03-03"),
        ("3 March 2026", "3 March 2026", "2026-03-03"),
        ("2026-03-03", "2026-03-03", "2026-03-03"),
        ("03/03/2026", "03/03/2026", "2026-03-03"),
        ("03/04/2026", "03/04/2026", "2026-03-04"),
        ("Tuesday, March 3rd, 2026.", "March 3rd, 2026", "2026-03-03"),
        ("the 3rd of March, 2026", "3rd of March, 2026", "2026-03-03"),
        ("Mar. 3, 2026", "Mar. 3, 2026", "2026-03-03"),
        ("Sept 3, 2026", "Sept 3, 2026", "2026-09-03"),
        ("MARCH 3, 2026", "MARCH 3, 2026", "2026-03-03"),
        ("at 2026-03-03T10:00Z", "2026-03-03", "2026-03-03"),
        ("from March 2026 on", "March 2026", "2026-03"),
    ],
)
def test_finds_iso_date(text, written, value):
    assert [(v.text, v.value) for v in date.find(text)] == [(written, value)]


@pytest.mark.parametrize(
    "text",
    ["2026", "in 2026 we", "version 2.0", "1.2.3", "2026-02-30", "13/13/2026", "price 3/4", "you may 2026",
     "…/03/2026", "March …, 2026", "March 3, …", "March 3"],
)
def test_finds_no_date(text):
    assert date.find(text) == []


def test_dayfirst_option_reads_day_before_month():
    assert date.find("03/04/2026", dayfirst=True)[0].value == "2026-04-03"
    assert date.find("2026-03-04", dayfirst=True)[0].value == "2026-03-04"


def test_spellings_of_one_day_are_one_value():
    spellings = ["March 3, 2026", "3 March 2026", "2026-03-03", "03/03/2026", "Mar 3rd, 2026"]
    assert {date.parse(s).value for s in spellings} == {"2026-03-03"}


def test_parse_reads_json_ld_datetimes():
    assert date.parse("2026-03-03T22:00:00-05:00").value == "2026-03-03"
    assert date.parse("on March 3, 2026") is None


@pytest.mark.parametrize(("text", "iso"), [("Prices change on 15 March.", "2026-03-15"),
                                           ("until March 3rd, then", "2026-03-03")])
def test_a_date_without_a_year_is_read_in_the_pages_year(text, iso):
    assert [v.value for v in date.find(text, year="2026")] == [iso]
    assert date.find(text) == []  # no page year: which year is not known


def test_a_date_with_its_year_keeps_it_on_a_dated_page():
    assert [v.value for v in date.find("on March 3, 2024", year="2026")] == ["2024-03-03"]
