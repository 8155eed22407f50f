"""ISO 4217 codes and minor units. Pure functions: no database needed."""

import datetime
from decimal import Decimal

import pytest

from records import currency
from records.currency import (
    active_currencies,
    format_amount,
    from_minor,
    is_active_currency,
    minor_units,
    round_half_up,
    to_minor,
)


@pytest.mark.parametrize("code", ["USD", "EUR", "JPY", "KWD", "GBP", "INR", "CHF", "BHD"])
def test_legal_tender_codes_are_active(code):
    assert is_active_currency(code)
    assert code in active_currencies()


@pytest.mark.parametrize(
    "code",
    [
        "XXX",  # "no currency"
        "XAU",  # gold, not legal tender
        "XDR",  # IMF special drawing rights
        "ABC",  # not a code at all
        "usd",  # lower case is invalid input, not normalised
        "US",
        "USDX",
        "",
        "HRK",  # replaced by the euro in 2023
        None,
    ],
)
def test_other_codes_are_not_active(code):
    assert not is_active_currency(code)


def test_active_currencies_follow_the_calendar():
    # Croatia adopted the euro on 2023-01-01; the kuna stayed legal tender until 2023-01-14.
    assert "HRK" in currency._active_on(datetime.date(2023, 1, 14))
    assert "HRK" not in currency._active_on(datetime.date(2023, 1, 15))


@pytest.mark.parametrize(("code", "units"), [("JPY", 0), ("USD", 2), ("EUR", 2), ("KWD", 3), ("BHD", 3)])
def test_minor_units_come_from_iso_4217(code, units):
    assert minor_units(code) == units


@pytest.mark.parametrize("code", ["ABC", "usd", ""])
def test_minor_units_of_an_unknown_code_is_an_error_not_a_guess(code):
    with pytest.raises(ValueError, match="ISO 4217"):
        minor_units(code)


@pytest.mark.parametrize(
    ("amount", "code", "minor"),
    [
        ("12.50", "USD", 1250),
        ("12.5", "USD", 1250),
        ("12.500", "USD", 1250),  # trailing zeros are not extra precision
        ("1500", "JPY", 1500),
        ("1.250", "KWD", 1250),
        ("0.001", "KWD", 1),
        ("-3.07", "EUR", -307),
        ("0", "USD", 0),
        ("123456789012345678901234567890.12", "USD", 12345678901234567890123456789012),
    ],
)
def test_to_minor_is_exact(amount, code, minor):
    assert to_minor(Decimal(amount), code) == minor


@pytest.mark.parametrize(("amount", "code"), [("0.001", "USD"), ("1.5", "JPY"), ("0.0001", "KWD"), ("-0.015", "EUR")])
def test_to_minor_rejects_more_decimals_than_the_currency_allows(amount, code):
    with pytest.raises(ValueError, match="more decimals"):
        to_minor(Decimal(amount), code)


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        to_minor(12.5, "USD")
    with pytest.raises(TypeError):
        round_half_up(0.005, "USD")
    with pytest.raises(TypeError):
        from_minor(12.5, "USD")


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_amounts_are_rejected(amount):
    with pytest.raises(ValueError, match="not an amount"):
        to_minor(Decimal(amount), "USD")


@pytest.mark.parametrize(
    ("value", "code", "minor"),
    [
        ("0.005", "USD", 1),
        ("0.0049", "USD", 0),
        ("0.0049999999999999999999999999999", "USD", 0),
        ("1.005", "USD", 101),
        ("-0.005", "USD", -1),  # half away from zero
        ("-0.0049", "USD", 0),
        ("0.5", "JPY", 1),
        ("0.49", "JPY", 0),
        ("2.5", "JPY", 3),  # half up, not half even
        ("0.0005", "KWD", 1),
        ("0.00049", "KWD", 0),
        ("12.50", "USD", 1250),
    ],
)
def test_round_half_up_at_the_half_boundary(value, code, minor):
    assert round_half_up(Decimal(value), code) == minor


@pytest.mark.parametrize(
    ("minor", "code", "amount"),
    [(1500, "JPY", "1500"), (1250, "USD", "12.50"), (1250, "KWD", "1.250"), (0, "USD", "0.00"), (-5, "USD", "-0.05")],
)
def test_format_amount_uses_the_currency_exponent(minor, code, amount):
    assert format_amount(minor, code) == amount


def test_from_minor_keeps_the_currency_exponent():
    assert from_minor(1250, "USD").as_tuple().exponent == -2
    assert from_minor(1250, "KWD") == Decimal("1.250")
    assert from_minor(1500, "JPY") == Decimal(1500)


def test_from_minor_round_trips_large_amounts_exactly():
    minor = 12345678901234567890123456789012
    assert to_minor(from_minor(minor, "USD"), "USD") == minor
