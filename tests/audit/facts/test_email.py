import pytest

from audit.facts import value_type

email = value_type("email")


@pytest.mark.parametrize(
    "text, written, value",
    [
        ("Write to Support@Acme.com.", "Support@Acme.com", "support@acme.com"),
        ("mailto:hello@acme.com", "hello@acme.com", "hello@acme.com"),
        ("(billing@acme.co.uk)", "billing@acme.co.uk", "billing@acme.co.uk"),
        ("a.b+tag@mail.acme.io, or", "a.b+tag@mail.acme.io", "a.b+tag@mail.acme.io"),
    ],
)
def test_finds_lowercased_address(text, written, value):
    assert [(v.text, v.value) for v in email.find(text)] == [(written, value)]


@pytest.mark.parametrize(
    "text",
    ["https://acme.com/unsubscribe?email=a@b.com", "https://user@acme.com/x", "foo@bar", "x@y.c0m",
     "…@acme.com", "hello@….com", "name@acme.com…", "version 2.0", "@acme"],
)
def test_finds_no_address(text):
    assert email.find(text) == []


def test_case_variants_are_one_address():
    spellings = ["Support@Acme.com", "support@acme.com", "mailto:SUPPORT@acme.COM"]
    assert {email.parse(s).value for s in spellings} == {"support@acme.com"}


def test_parse_strips_mailto_query():
    assert email.parse("mailto:help@acme.com?subject=Hi").value == "help@acme.com"
    assert email.parse("help@acme.com or sales@acme.com") is None
