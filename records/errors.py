"""Machine-readable error codes raised by the records app."""

import datetime

from rest_framework import exceptions

from finance_dashboard.errors import conflict, invalid  # noqa: F401 (re-exported for the app)

EXCHANGE_RATE_MISSING = "exchange_rate_missing"
CATEGORY_TYPE_MISMATCH = "category_type_mismatch"
CATEGORY_IN_USE = "category_in_use"
DUPLICATE_NAME = "duplicate_name"
AMOUNT_TOO_LARGE = "amount_too_large"
TOO_MANY_DECIMALS = "too_many_decimals"


def not_found() -> exceptions.NotFound:
    return exceptions.NotFound()


def exchange_rate_missing(*, currency: str, base: str, on: datetime.date) -> exceptions.ValidationError:
    return invalid(
        "exchange_rate",
        f"No {currency}->{base} rate is stored on or before {on.isoformat()}; send exchange_rate.",
        EXCHANGE_RATE_MISSING,
    )


def rate_must_be_one() -> exceptions.ValidationError:
    return invalid("exchange_rate", "A record in the base currency has an exchange rate of 1.", "invalid")


def amount_too_large() -> exceptions.ValidationError:
    return invalid("amount", "The amount is too large.", AMOUNT_TOO_LARGE)
