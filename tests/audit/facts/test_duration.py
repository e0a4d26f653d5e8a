import pytest

from audit.facts import value_type

duration = value_type("duration")


@pytest.mark.parametrize(
    "text, value",
    [
        ("14-day", {"days": 14}),
        ("14 days", {"days": 14}),
        ("fourteen days", {"days": 14}),
        ("Fourteen-Day", {"days": 14}),
        ("two weeks", {"days": 14}),
        ("a week", {"days": 7}),
        ("30-day", {"days": 30}),
        ("thirty days", {"days": 30}),
        ("twenty-one days", {"days": 21}),
        ("forty five days", {"days": 45}),
        ("one hundred days", {"days": 100}),
        ("24 hours", {"days": 1}),
        ("36 hours", {"hours": 36}),
        ("an hour", {"hours": 1}),
        ("90 minutes", {"minutes": 90}),
        ("1.5 hours", {"minutes": 90}),
        ("1 month", {"months": 1}),
        ("12 months", {"months": 12}),
        ("1 year", {"months": 12}),
        ("3 business days", {"business_days": 3}),
        ("2 working days", {"business_days": 2}),
    ],
)
def test_finds_normalized_duration(text, value):
    found = duration.find(text)
    assert [(v.text, v.value) for v in found] == [(text, value)]


@pytest.mark.parametrize(
    "text",
    ["version 2.0", "2026", "days", "per month", "$49 a month", "twice a day", "… days",
     "…14 days", "14… days", "a few days"],
)
def test_finds_no_duration(text):
    assert duration.find(text) == []


def test_a_rate_is_not_a_second_duration():
    found = duration.find("open 7 days a week, 24 hours a day")
    assert [v.value for v in found] == [{"days": 7}, {"days": 1}]


def test_context_is_the_rules_job():
    assert [v.value for v in duration.find("refunds within 14 days after cancellation")] == [{"days": 14}]


@pytest.mark.parametrize(
    "text", ["14-day", "14 days", "fourteen days", "two weeks", "2 weeks", "P14D", "P2W"]
)
def test_all_fortnight_spellings_are_one_value(text):
    v = duration.parse(text)
    assert v.value == {"days": 14}
    as_written = {"fourteen days": "fourteen days", "two weeks": "two weeks", "2 weeks": "2 weeks"}
    assert v.display == as_written.get(text, "14 days")  # the adjective and ISO forms as a length


def test_a_month_is_not_thirty_days():
    assert duration.parse("1 month").value != duration.parse("30 days").value


@pytest.mark.parametrize(
    "iso, value", [("P1M", {"months": 1}), ("P1Y", {"months": 12}), ("PT24H", {"days": 1})]
)
def test_parse_reads_schema_org_iso_durations(iso, value):
    assert duration.parse(iso).value == value


def test_parse_rejects_mixed_iso_and_extra_text():
    assert duration.parse("P1M2D") is None
    assert duration.parse("14 days free") is None


def test_iso_display_uses_years_for_whole_years():
    assert duration.parse("P2Y").display == "2 years"
    assert duration.parse("24 months").value == duration.parse("P2Y").value


@pytest.mark.parametrize("text", ["24 hours", "1 day", "one day", "24 months", "3 business days", "an hour"])
def test_a_duration_is_shown_as_written(text):
    assert duration.parse(text).display == text


def test_equal_durations_written_differently_are_the_same_value():
    day = duration.parse("1 day").value
    assert duration.parse("24 hours").value == duration.parse("one day").value == day


@pytest.mark.parametrize("text", ["Your trial ends in 3 days.", "Only 2 days left.", "It expires in 7 days"])
def test_a_countdown_is_no_duration_of_anything(text):
    assert duration.find(text) == []


def test_a_span_of_time_with_in_is_still_a_duration():
    assert [v.value for v in duration.find("We reply in 24 hours.")] == [{"days": 1}]
