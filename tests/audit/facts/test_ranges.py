"""Ranges are read as ranges ("3–5 business days", "€40–50 per month"): the unit written once
belongs to both ends, a range equals only the same range, and what only looks like one (a phone
number, a score, years) is not one."""

from __future__ import annotations

import pytest

from audit.facts import value_type

RANGES = [
    ("duration", "Refunds arrive in 3–5 business days.", "3–5 business days",
     [{"business_days": 3}, {"business_days": 5}]),
    ("duration", "Expect 2-3 weeks for a custom domain.", "2-3 weeks", [{"days": 14}, {"days": 21}]),
    ("money", "Hosting partners charge €40–50 per month.", "€40–50 per month",
     [{"amount": "40.00", "currency": "EUR", "period": "month"},
      {"amount": "50.00", "currency": "EUR", "period": "month"}]),
    ("money", "Budget $10-$20 per month.", "$10-$20 per month",
     [{"amount": "10.00", "currency": "USD", "period": "month"},
      {"amount": "20.00", "currency": "USD", "period": "month"}]),
    ("money", "Consultants bill €40-50/hour.", "€40-50/hour",
     [{"amount": "40.00", "currency": "EUR", "period": "hour"},
      {"amount": "50.00", "currency": "EUR", "period": "hour"}]),
    ("percent", "Save 10–20% on yearly plans.", "10–20%", [10.0, 20.0]),
    ("percent", "Churn fell 20-30% this year.", "20-30%", [20.0, 30.0]),
    ("number", "Best for 3-5 users.", "3-5 users",
     [{"number": 3, "unit": "user"}, {"number": 5, "unit": "user"}]),
    ("number", "Teams of 5 to 10 seats pick Plus.", "5 to 10 seats",
     [{"number": 5, "unit": "seat"}, {"number": 10, "unit": "seat"}]),
]


@pytest.mark.parametrize(("kind", "text", "written", "ends"), RANGES)
def test_a_range_is_one_value_with_both_ends(kind: str, text: str, written: str, ends: list) -> None:
    found = value_type(kind).find(text)
    assert [(v.text, v.value, v.display) for v in found] == [(written, {"range": ends}, written)]


@pytest.mark.parametrize(("kind", "text", "written", "ends"), RANGES)
def test_a_range_parses_and_equals_only_itself(kind: str, text: str, written: str, ends: list) -> None:
    vtype = value_type(kind)
    parsed = vtype.parse(written)
    assert parsed is not None and vtype.same(parsed.value, {"range": ends})
    high = vtype.parse(written.split("–")[-1].split("-")[-1].split(" to ")[-1])
    assert high is None or not vtype.same(parsed.value, high.value)


@pytest.mark.parametrize(("kind", "text"), [
    ("number", "Call 555-0172 now"),        # a phone number: the second part is no larger count
    ("number", "We won 3-2 in the final"),  # descending
    ("duration", "From 2019-2021 we grew"),
    ("percent", "3-5"),                     # no unit at all
    ("money", "Grew from $400 to $2,750"),  # a change
])
def test_what_only_looks_like_a_range(kind: str, text: str) -> None:
    found = value_type(kind).find(text)
    assert all("range" not in (v.value if isinstance(v.value, dict) else {}) for v in found)


def test_a_range_is_read_with_the_rules_unit_only():
    number = value_type("number")
    assert number.find("Loads in 5-10 seconds.", unit="KB") == []
    assert [v.text for v in number.find("Between 1-2 KB gzipped.", unit="KB")] == ["1-2 KB"]
