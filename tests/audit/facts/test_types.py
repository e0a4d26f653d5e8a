"""What every value type promises, checked on all of them at once."""

import json

import pytest

from audit.facts import TYPES, value_type
from audit.options import Option

PAGE = (
    "Pro is $49/mo (or $490 billed yearly) with a 14-day trial and 99.9% uptime. "
    "Call (415) 555-0100 or write to Help@Acme.com; see https://acme.com/pricing/ since March 3, 2026. "
    "Includes 10k contacts and 10 GB."
)
OPTIONS = {"text": {"pattern": r"Pro is [^(]+"}}


def test_registry_names_every_type():
    assert list(TYPES) == ["money", "duration", "percent", "phone", "email", "url", "date", "number", "text"]
    assert all(TYPES[name].name == name for name in TYPES)


def test_unknown_type_names_the_known_ones():
    with pytest.raises(KeyError, match="expected one of money"):
        value_type("price")


@pytest.mark.parametrize("name", list(TYPES))
def test_values_are_in_order_exact_and_plain_json(name):
    found = TYPES[name].find(PAGE, **OPTIONS.get(name, {}))
    assert found, name
    assert all(PAGE[v.start : v.end] == v.text for v in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:], strict=False))
    assert json.loads(json.dumps([v.value for v in found])) == [v.value for v in found]
    assert all(v.display for v in found)


@pytest.mark.parametrize("name", list(TYPES))
def test_parse_gives_back_what_find_found(name):
    t = TYPES[name]
    for v in t.find(PAGE, **OPTIONS.get(name, {})):
        parsed = t.parse(v.text, **OPTIONS.get(name, {}))
        assert parsed is not None and t.same(parsed.value, v.value), v.text


@pytest.mark.parametrize("name", list(TYPES))
def test_options_are_declared_for_rule_validation(name):
    assert all(isinstance(o, Option) for o in TYPES[name].options)
    assert "placeholders" not in {o.name for o in TYPES[name].options}  # set by the audit, not a rule


@pytest.mark.parametrize("name", list(TYPES))
def test_parse_of_nothing_is_none(name):
    assert TYPES[name].parse("") is None
    assert TYPES[name].parse(None) is None


def test_placeholders_option_counts_only_merge_tag_ellipses():
    text = "Plans start at $9/month… and trials last … days"
    tag = text.rindex("…")
    assert value_type("money").find(text) == []
    assert [v.text for v in value_type("money").find(text, placeholders=[tag])] == ["$9/month"]
    assert value_type("duration").find(text, placeholders=[tag]) == []
