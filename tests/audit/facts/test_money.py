import pytest

from audit.facts import value_type

money = value_type("money")

MONTHLY = {"amount": "49.00", "currency": "USD", "period": "month"}
YEARLY = {"amount": "490.00", "currency": "USD", "period": "year"}


@pytest.mark.parametrize(
    "text, value",
    [
        ("$49/mo", MONTHLY),
        ("$49 per month", MONTHLY),
        ("USD 49 monthly", MONTHLY),
        ("49 $ a month", MONTHLY),
        ("$49.00/month", MONTHLY),
        ("$49 / mo.", MONTHLY),
        ("$490/year", YEARLY),
        ("$490 annually", YEARLY),
        ("$490 billed yearly", YEARLY),
        ("$490 per annum", YEARLY),
        ("€19", {"amount": "19.00", "currency": "EUR", "period": None}),
        ("19 EUR", {"amount": "19.00", "currency": "EUR", "period": None}),
        ("£5", {"amount": "5.00", "currency": "GBP", "period": None}),
        ("CHF 10 / month", {"amount": "10.00", "currency": "CHF", "period": "month"}),
        ("1.234,50 €", {"amount": "1234.50", "currency": "EUR", "period": None}),
        ("$1,234.50", {"amount": "1234.50", "currency": "USD", "period": None}),
        ("$500k", {"amount": "500000.00", "currency": "USD", "period": None}),
        ("$1M", {"amount": "1000000.00", "currency": "USD", "period": None}),
        ("$5 million", {"amount": "5000000.00", "currency": "USD", "period": None}),
        ("AU$12", {"amount": "12.00", "currency": "AUD", "period": None}),
        ("$10 per user per month", {"amount": "10.00", "currency": "USD", "period": "month", "per": "user"}),
        ("$10/month per seat", {"amount": "10.00", "currency": "USD", "period": "month", "per": "seat"}),
    ],
)
def test_finds_normalized_price(text, value):
    found = money.find(text)
    assert [v.value for v in found] == [value]
    assert found[0].text == text.rstrip(".")


@pytest.mark.parametrize(
    "text",
    ["version 2.0", "49 per month", "2026", "$…/mo", "$49/…", "$49 per …", "… $49", "$4…9",
     "call 415-555-0100", "20% off"],
)
def test_finds_no_price(text):
    assert money.find(text) == []


def test_all_monthly_spellings_are_one_value():
    spellings = ["$49/mo", "$49 per month", "USD 49 monthly", "49 $ a month", "$49.00/month"]
    values = {money.parse(s).display for s in spellings}
    assert values == {"$49.00 per month"}
    assert all(money.parse(s).value == MONTHLY for s in spellings)


def test_monthly_and_yearly_differ():
    assert money.parse("$49/mo").value != money.parse("$49/year").value


def test_currency_option_says_what_a_bare_dollar_is():
    assert money.parse("$49", currency="CAD").value["currency"] == "CAD"
    assert money.parse("US$49", currency="CAD").value["currency"] == "USD"


def test_parse_takes_bare_amount_with_currency_and_period_options():
    v = money.parse("49.00", currency="EUR", period="month")
    assert v.value == {"amount": "49.00", "currency": "EUR", "period": "month"}
    assert money.parse(49).value == {"amount": "49.00", "currency": "USD", "period": None}


def test_parse_rejects_more_than_one_price():
    assert money.parse("$49 or $59") is None
    assert money.parse("from $49") is None


def test_finds_every_price_in_order_with_offsets():
    text = "Grew from $400 to $2,750 MRR; Pro is $9/month."
    found = money.find(text)
    assert [v.display for v in found] == ["$400.00", "$2,750.00", "$9.00 per month"]
    assert all(text[v.start : v.end] == v.text for v in found)


def test_period_billed_after_a_monthly_price_keeps_the_monthly_amount():
    assert money.find("$8/mo billed annually")[0].value["period"] == "month"


@pytest.mark.parametrize("header, period", [("Price per month", "month"), ("Cost / yr", "year"),
                                            ("Billed annually", "year"), ("Seats", None)])
def test_a_header_names_the_billing_period_of_the_prices_under_it(header, period):
    from audit.facts.money import period_in

    assert period_in(header) == period
