"""ISO 4217 currencies and their minor units, from the CLDR data that babel ships.

No currency list is written by hand: which codes exist, which are legal tender
today and how many decimals each one has all come from babel, so a currency
that is introduced or withdrawn needs a babel upgrade, not a code change.

Money is a `Decimal` on the way in and out and an `int` of minor units (cents,
fils, yen) in between; a float never appears. Every conversion below is done in
integer arithmetic on the exact ratio of the decimal, so it cannot be rounded
by the ambient `decimal` context precision.

Codes are case-sensitive: `"usd"` is not a currency. Callers that want to be
lenient upper-case the input themselves before asking, so that what is stored
is always the canonical form.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies, list_currencies


def active_currencies() -> frozenset[str]:
    """Codes that are legal tender in at least one territory today (UTC)."""
    return _active_on(datetime.datetime.now(tz=datetime.UTC).date())


@functools.lru_cache(maxsize=4)
def _active_on(day: datetime.date) -> frozenset[str]:
    # Keyed by day so a long-running process notices a currency that is
    # withdrawn (BGN on 2026-01-01) or introduced without a restart.
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, day, tender=True, non_tender=False))
    return frozenset(codes)


@functools.lru_cache(maxsize=1)
def known_currencies() -> frozenset[str]:
    """Every ISO 4217 code babel knows, withdrawn ones included (CYP, HRK, …).

    Historical exchange rates use these; new money uses `active_currencies()`.
    """
    return frozenset(list_currencies())


def is_active_currency(code: str) -> bool:
    """Whether `code` is an upper-case ISO 4217 code that is legal tender today.

    Excludes funds, metals and test codes (XAU, XDR, XXX) and withdrawn
    currencies. Lower-case input is invalid, not normalised (see the module
    docstring).
    """
    return isinstance(code, str) and code in active_currencies()


def minor_units(code: str) -> int:
    """Decimals of the currency's minor unit: JPY 0, USD 2, KWD 3.

    CLDR's figure, which follows practice where ISO 4217 still lists a unit
    nobody uses (IDR, HUF and IQD have 0). Raises ValueError for a code that is
    not ISO 4217 at all, rather than guessing 2 as babel would.
    """
    if code not in known_currencies():
        raise ValueError(f"{code!r} is not an ISO 4217 currency code.")
    return get_currency_precision(code)


def to_minor(amount: Decimal, code: str) -> int:
    """`amount` in minor units, exactly: `to_minor(Decimal("12.50"), "USD") == 1250`.

    Raises ValueError when the amount is finer than the currency's minor unit
    (`Decimal("0.001")` USD, `Decimal("1.5")` JPY); trailing zeros are fine
    (`Decimal("12.500")` USD is 1250). Nothing is ever rounded here: a sum of
    money that does not fit is an input error, not something to fix silently.
    """
    numerator, denominator = _ratio(amount)
    minor, remainder = divmod(numerator * 10 ** minor_units(code), denominator)
    if remainder:
        raise ValueError(f"{amount} has more decimals than {code} allows ({minor_units(code)}).")
    return minor


def round_half_up(value: Decimal, code: str) -> int:
    """`value` in minor units, rounded half away from zero (ROUND_HALF_UP).

    For computed amounts such as `amount × exchange_rate`: 0.005 USD is 1 cent,
    0.0049 USD is 0, 0.5 JPY is 1 yen, 0.0005 KWD is 1 fils, -0.005 USD is -1.
    """
    numerator, denominator = _ratio(value)
    quotient, remainder = divmod(abs(numerator) * 10 ** minor_units(code), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient if numerator < 0 else quotient


def from_minor(minor: int, code: str) -> Decimal:
    """Minor units back to a Decimal with the currency's exponent: 1250 USD is `Decimal("12.50")`."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"Minor units are an int, not {type(minor).__name__}.")
    # Built from text so that no context precision can round a large amount.
    return Decimal(f"{minor}E-{minor_units(code)}")


def format_amount(minor: int, code: str) -> str:
    """The wire form of an amount: JPY 1500 → "1500", USD 1250 → "12.50", KWD 1250 → "1.250"."""
    return f"{from_minor(minor, code):f}"


def _ratio(value: Decimal) -> tuple[int, int]:
    if not isinstance(value, Decimal):
        raise TypeError(f"Money is a Decimal, not {type(value).__name__}.")
    if not value.is_finite():
        raise ValueError(f"{value} is not an amount of money.")
    return value.as_integer_ratio()
