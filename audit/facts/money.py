"""Money: an amount, its currency and its billing period, so "$49/mo" equals "USD 49 monthly".

The value is ``{"amount": "49.00", "currency": "USD", "period": "month"}`` (period None when the
text gives none; ``"per": "user"`` is added for per-seat prices). The amount is a decimal string
with two places, never a float, so equal prices stay equal.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from price_parser import Price

from audit.facts.base import Value, followed_by_range, keep, parse_whole, preceded_by_range, ranges
from audit.options import Option

SYMBOLS = {
    "US$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD",
    "S$": "SGD", "R$": "BRL", "MX$": "MXN", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR",
}
CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "INR", "SEK", "NOK", "DKK", "PLN",
         "BRL", "MXN", "SGD", "HKD", "ZAR", "CNY")
_DISPLAY_SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£"}

PERIODS = {
    "month": ("months", "month", "mths", "mth", "mos", "mon", "mo"),
    "year": ("years", "year", "annum", "yrs", "yr"),
    "quarter": ("quarters", "quarter", "qtr"),
    "week": ("weeks", "week", "wks", "wk"),
    "day": ("days", "day"),
    "hour": ("hours", "hour", "hrs", "hr"),
}
ADVERBS = {"monthly": "month", "annually": "year", "yearly": "year", "quarterly": "quarter",
           "weekly": "week", "daily": "day", "hourly": "hour", "for the year": "year", "for a year": "year",
           "for the month": "month"}
SEATS = ("users", "user", "seats", "seat", "members", "member", "editors", "editor", "agents", "agent",
         "licenses", "license", "licences", "licence", "sites", "site")
_UNIT = {word: period for period, words in PERIODS.items() for word in words}

_SYM = "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True)) + r"|\$"
_CUR = rf"(?<![A-Za-z])(?:{_SYM})|\b(?:{'|'.join(CODES)})\b"
_AMOUNT = r"\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?(?![\d,.]\d)"
_MULT = r"(?:(?P<{0}>[kK]|M)(?![A-Za-z])|\s(?P<{0}w>thousand|million|billion|bn)\b)?"
MONEY = re.compile(
    rf"(?P<cur>{_CUR})\s?(?P<amt>{_AMOUNT}){_MULT.format('mult')}"
    rf"|(?<![\w.,])(?P<amt2>{_AMOUNT}){_MULT.format('mult2')}\s?(?P<cur2>{_CUR})(?!\s?\d)"
)
_BARE = re.compile(rf"(?P<amt>{_AMOUNT}){_MULT.format('mult')}")
_SEP = r"\s*(?:/|\bper\b|\ba\b|\ban\b|\beach\b|\bevery\b)\s*"
_ALT = "|".join
TAIL = re.compile(
    rf"(?:{_SEP}(?P<seat>{_ALT(SEATS)})\b)?"
    rf"(?:{_SEP}(?P<unit>{_ALT(_UNIT)})\b(?!\.?\d)"
    rf"|\s*,?\s*(?:(?:(?:if|when)\s+(?:you\s+)?)?(?:billed|paid|charged|pay)\s+)?(?P<adv>{_ALT(ADVERBS)})\b)?"
    rf"(?:{_SEP}(?P<seat2>{_ALT(SEATS)})\b)?"
)
_TAG_PERIOD = re.compile(rf"{_SEP}…")
_FACTOR = {"k": 1000, "K": 1000, "M": 1_000_000, "thousand": 1000, "million": 1_000_000,
           "billion": 1_000_000_000, "bn": 1_000_000_000}


class Money:
    """Prices as amount + ISO currency + billing period."""

    name = "money"
    options = [
        Option("currency", "str", "ISO code meant by a bare '$' (and by a bare amount in parse())",
               default="USD", check=lambda v: None if re.fullmatch(r"[A-Za-z]{3}", v)
               else f"must be a three-letter ISO 4217 code such as USD or EUR; got {v!r}"),
        Option("period", "str", "billing period for parse() when the text gives none (month, year…)",
               check=lambda v: None if _period(v) else f"must be a billing period such as month or year; "
               f"got {v!r}"),
    ]

    def find(self, text: str, **options: Any) -> list[Value]:
        dollar = str(options.get("currency") or "USD").upper()
        found = []
        for m in MONEY.finditer(text):
            prefix = m.group("amt") is not None
            amt_start = m.start("amt" if prefix else "amt2")
            amt_end = m.end("amt" if prefix else "amt2")
            if preceded_by_range(text, amt_start) or followed_by_range(text, amt_end):
                continue
            cur = _currency(m.group("cur" if prefix else "cur2"), dollar)
            mult = m.group("mult" if prefix else "mult2") or m.group("multw" if prefix else "mult2w")
            tail = TAIL.match(text, m.end())
            end = tail.end() if tail and tail.group(0).strip() else m.end()
            if _TAG_PERIOD.match(text, end):
                continue
            v = _value(text, m.start(), end, m.group("amt" if prefix else "amt2"), mult, cur, tail)
            if v is not None:
                found.append(v)
        if options.get("ranges", True):
            found += ranges(self.find, text, **options)
        return keep(text, found, options.get("placeholders"))

    def parse(self, text: str, **options: Any) -> Value | None:
        v = parse_whole(self.find, text, **options)
        if v is None and text is not None and not isinstance(text, bool):
            # A bare amount (a JSON-LD "price", an expected "49.00") takes the currency option.
            s = str(text).strip()
            m = _BARE.match(s)
            tail = TAIL.match(s, m.end()) if m else None
            if m is None or tail is None or tail.end() != len(s):
                return None
            cur = str(options.get("currency") or "USD").upper()
            v = _value(s, 0, len(s), m.group("amt"), m.group("mult") or m.group("multw"), cur, tail)
        if v is not None and "period" in v.value and v.value["period"] is None and options.get("period"):
            period = _period(str(options["period"]).lower())
            value = {**v.value, "period": period}
            v = Value(v.start, v.end, v.text, value, display(value))
        return v

    def same(self, a: Any, b: Any, **options: Any) -> bool:
        return a == b


def _currency(written: str, dollar: str) -> str:
    return dollar if written == "$" else SYMBOLS.get(written, written.upper())


def _period(word: str) -> str | None:
    return _UNIT.get(word) or ADVERBS.get(word) or (word if word in PERIODS else None)


_NAMED_PERIOD = re.compile(r"\b(?:per|a|each|every)\s+([a-z]+)|/\s*([a-z]+)|\b([a-z]+ly)\b")


def period_in(text: str) -> str | None:
    """The billing period a text names without an amount ("Price per month", "/mo", "Billed
    yearly"), as a table header does for the prices under it."""
    for m in _NAMED_PERIOD.finditer((text or "").lower()):
        period = _period(next(g for g in m.groups() if g))
        if period:
            return period
    return None


def _value(text: str, start: int, end: int, amount: str, mult: str | None, currency: str,
           tail: re.Match[str] | None) -> Value | None:
    # price-parser decides whether "," or "." is the decimal separator ("1.234,50 €",
    # "$1,234.50", "49,90 €"), the part of money parsing that is easy to get wrong by hand.
    parsed = Price.fromstring(amount).amount
    if parsed is None:
        return None
    try:
        number = (parsed * _FACTOR.get(mult or "", 1)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    period = None
    per = None
    if tail is not None:
        word = (tail.group("unit") or tail.group("adv") or "").lower()
        period = _period(word) if word else None
        seat = tail.group("seat") or tail.group("seat2")
        per = _singular(seat.lower()) if seat else None
    value: dict[str, Any] = {"amount": str(number), "currency": currency, "period": period}
    if per:
        value["per"] = per
    return Value(start, end, text[start:end], value, display(value))


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def display(value: dict[str, Any]) -> str:
    """ "$49.00 per month", "CHF 10.00", "€8.00 per user per month"."""
    amount = f"{Decimal(value['amount']):,.2f}"
    symbol = _DISPLAY_SYMBOL.get(value["currency"])
    out = f"{symbol}{amount}" if symbol else f"{value['currency']} {amount}"
    if value.get("per"):
        out += f" per {value['per']}"
    if value.get("period"):
        out += f" per {value['period']}"
    return out


TYPE = Money()
