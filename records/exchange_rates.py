"""Exchange rates: finding the rate for a record, loading the ECB reference rates, operators' edits.

Rates are stored as the ECB publishes them, EUR→X, plus any pair an operator
adds by hand. `rate_for` derives what a record needs from those rows (direct,
inverse or cross through EUR) with a constant number of indexed queries.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import IO

from django.db import connections, router, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from audit.services import audit_log, diff
from records.currency import known_currencies
from records.models import ExchangeRate

EUR = "EUR"

# A derived rate keeps 10 decimal places (the column's scale) but never more
# than the 15 significant digits SQLite can store, so a record converted on
# SQLite and on PostgreSQL gets the very same rate.
RATE_DECIMAL_PLACES = 10
RATE_SIGNIFICANT_DIGITS = ExchangeRate.SIGNIFICANT_DIGITS

# --- lookup ----------------------------------------------------------------------

# When several sources have a rate for the same (latest) day, the first wins.
_DIRECT, _INVERSE, _CROSS = 0, 1, 2


def rate_for(*, currency: str, base: str, on: datetime.date) -> Decimal | None:
    """Units of `base` for one unit of `currency`, for a record dated `on`; codes in upper case, as stored.

    The latest stored rate on or before `on`, never a later one: from a direct
    row (currency→base), the inverse row (base→currency, 1/rate), or a cross
    rate through EUR on a day both EUR→currency and EUR→base exist. The most
    recent of these wins; on a tie, direct beats inverse beats cross. None when
    no rate is on or before `on` (or the rate rounds to nothing at 10 places).

    Three indexed queries at most (two when either currency is EUR, since the
    cross rate would be the direct or inverse row again), however many rows.
    """
    if currency == base:
        return _normalized(Decimal(1), Decimal(1))
    candidates = []
    direct = _latest(base=currency, quote=base, on=on)
    if direct:
        candidates.append((direct[0], _DIRECT, direct[1], Decimal(1)))
    inverse = _latest(base=base, quote=currency, on=on)
    if inverse:
        candidates.append((inverse[0], _INVERSE, Decimal(1), inverse[1]))
    if EUR not in (currency, base):
        cross = _latest_cross(currency=currency, base=base, on=on)
        if cross:
            day, eur_to_currency, eur_to_base = cross
            candidates.append((day, _CROSS, eur_to_base, eur_to_currency))
    if not candidates:
        return None
    _day, _preference, numerator, denominator = max(candidates, key=lambda candidate: (candidate[0], -candidate[1]))
    return _normalized(numerator, denominator) or None


def _latest(*, base: str, quote: str, on: datetime.date) -> tuple[datetime.date, Decimal] | None:
    return (
        ExchangeRate.objects.filter(base=base, quote=quote, date__lte=on)
        .order_by("-date")
        .values_list("date", "rate")
        .first()
    )


def _latest_cross(*, currency: str, base: str, on: datetime.date) -> tuple[datetime.date, Decimal, Decimal] | None:
    """The latest day on or before `on` with both EUR→currency and EUR→base, and those two rates."""
    eur_to_base = ExchangeRate.objects.filter(base=EUR, quote=base, date=OuterRef("date")).values("rate")[:1]
    return (
        ExchangeRate.objects.filter(base=EUR, quote=currency, date__lte=on)
        .annotate(eur_to_base=Subquery(eur_to_base))
        .filter(eur_to_base__isnull=False)
        .order_by("-date")
        .values_list("date", "rate", "eur_to_base")
        .first()
    )


def _normalized(numerator: Decimal, denominator: Decimal) -> Decimal:
    """`numerator / denominator`, rounded half-up once to 10 places, or fewer when that would exceed 15
    significant digits."""
    with localcontext() as context:
        # Stored rates have at most 15 significant digits, so a quotient taken
        # to 60 digits and then rounded to 15 rounds exactly as the true
        # quotient would; quantize() can never overflow either.
        context.prec = 60
        context.rounding = ROUND_HALF_UP
        value = numerator / denominator
        # Two passes: a carry (99999.99999999996 → 100000.0000000000) can add a
        # digit, and the second pass drops the zero it pushed past the limit.
        for _ in range(2):
            exponent = -RATE_DECIMAL_PLACES
            if value:
                exponent = max(exponent, value.adjusted() - (RATE_SIGNIFICANT_DIGITS - 1))
            value = value.quantize(Decimal(1).scaleb(exponent))
    return value


# --- ECB import ------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows created, rows updated, rows already as in the file."""

    created: int
    updated: int
    unchanged: int
    dates: int  # distinct days in the file that carried at least one rate


_BATCH_SIZE = 10_000
_MISSING = {"", "N/A"}
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAILY_DATE = re.compile(r"([0-9]{1,2}) ([A-Za-z]+) ([0-9]{4})")
# English month names, not strptime's %B (or calendar.month_name): those follow the process locale.
_MONTHS = {
    name: number
    for number, name in enumerate(
        "january february march april may june july august september october november december".split(), start=1
    )
}


@transaction.atomic
def import_ecb_csv(*, path_or_file: str | os.PathLike | IO, source: str = "ecb") -> ImportResult:
    """Load an ECB euro reference-rate CSV as EUR→X rows, all or nothing.

    Reads both shapes the ECB publishes: the daily `eurofxref.csv` (`Date, USD,
    JPY, …,` / `04 December 2026, 1.0834, 160.50, …,`) and the historical
    `eurofxref-hist.csv` (`Date,USD,…,` / `2026-12-04,1.0834,…,N/A,`). Columns
    that are not ISO 4217 codes are skipped, and so are `N/A` and empty cells.

    Re-importing a file changes nothing; a rate that differs from the stored one
    (an operator's correction included) is overwritten, since the file is the
    reference. The whole file is checked before anything is written, so a
    malformed one (no Date column, a bad date, a rate that is not a positive
    number, a day listed twice) raises ValueError and leaves the table as it was.
    """
    if not source or len(source) > ExchangeRate._meta.get_field("source").max_length:
        raise ValueError(f"Source {source!r} must be 1 to 16 characters.")
    rates = _parse_ecb_csv(_read_text(path_or_file))
    if not rates:
        return ImportResult(created=0, updated=0, unchanged=0, dates=0)

    days = {day for _quote, day in rates}
    # One range query for what is stored already, so the counts are exact and
    # unchanged rows are not written at all.
    existing = (
        ExchangeRate.objects.filter(base=EUR, date__gte=min(days), date__lte=max(days))
        .order_by()
        .values_list("quote", "date", "rate", "source")
    )
    stored = {(quote, day): (rate, row_source) for quote, day, rate, row_source in existing}
    created = updated = unchanged = 0
    to_write = []
    for (quote, day), rate in rates.items():
        current = stored.get((quote, day))
        if current is None:
            created += 1
        elif current == (rate, source):
            unchanged += 1
            continue
        else:
            updated += 1
        to_write.append((quote, day, rate))
    _upsert_eur_rates(to_write, source=source)
    return ImportResult(created=created, updated=updated, unchanged=unchanged, dates=len(days))


def _upsert_eur_rates(rows: list[tuple[str, datetime.date, Decimal]], *, source: str) -> None:
    """Insert or update EUR→quote rates: `bulk_create(update_conflicts=True)`, only faster.

    bulk_create spends ~30 µs a row in Python preparing seven field values, and
    on PostgreSQL psycopg's client-side binding (Django's default) re-parses a
    statement with thousands of placeholders on every execute: 8 s for the ECB
    history on either database, against 1 to 2 s here. An upsert rather than
    insert + update, so a row another import adds meanwhile is updated instead
    of failing the unique constraint.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(ExchangeRate)]
    meta = ExchangeRate._meta
    name = connection.ops.quote_name

    def column(field: str) -> str:
        return name(meta.get_field(field).column)

    inserted = ("base", "quote", "date", "rate", "source", "created_at", "updated_at")
    insert = f"INSERT INTO {name(meta.db_table)} ({', '.join(column(field) for field in inserted)})"
    on_conflict = f"ON CONFLICT ({column('base')}, {column('quote')}, {column('date')}) DO UPDATE SET " + ", ".join(
        f"{column(field)} = EXCLUDED.{column(field)}" for field in ("rate", "source", "updated_at")
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Seven parameters per statement, three of them arrays of a whole batch.
            sql = (
                f"{insert} SELECT %s, incoming.quote, incoming.day, incoming.rate, %s, %s, %s "
                f"FROM unnest(%s::varchar[], %s::date[], %s::numeric[]) AS incoming(quote, day, rate) {on_conflict}"
            )
            for start in range(0, len(rows), _BATCH_SIZE):
                batch = rows[start : start + _BATCH_SIZE]
                quotes, days, rates = [row[0] for row in batch], [row[1] for row in batch], [row[2] for row in batch]
                cursor.execute(sql, [EUR, source, now, now, quotes, days, rates])
        else:
            # One prepared statement that the driver runs over every row (in C on SQLite).
            ops = connection.ops
            now = ops.adapt_datetimefield_value(now)
            days = {day: ops.adapt_datefield_value(day) for day in {day for _quote, day, _rate in rows}}
            params = [
                (EUR, quote, days[day], ops.adapt_decimalfield_value(rate), source, now, now)
                for quote, day, rate in rows
            ]
            cursor.executemany(f"{insert} VALUES ({', '.join(['%s'] * len(inserted))}) {on_conflict}", params)


def _read_text(path_or_file: str | os.PathLike | IO) -> str:
    if hasattr(path_or_file, "read"):
        content = path_or_file.read()
        # utf-8-sig: a byte-order mark would otherwise stick to "Date".
        return content.decode("utf-8-sig") if isinstance(content, bytes) else content.removeprefix("\ufeff")
    with open(path_or_file, encoding="utf-8-sig", newline="") as file:
        return file.read()


def _parse_ecb_csv(text: str) -> dict[tuple[str, datetime.date], Decimal]:
    """`{(quote, day): rate}` for every rate in the file; ValueError on anything malformed."""
    try:
        return _parse_rows(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValueError(f"Not a readable CSV file: {exc}.") from None


def _parse_rows(rows) -> dict[tuple[str, datetime.date], Decimal]:
    header = next(rows, None)
    if header is None:
        raise ValueError("The file is empty.")
    columns = [name.strip() for name in header]
    lowered = [name.lower() for name in columns]
    if "date" not in lowered:
        raise ValueError("No Date column: not an ECB reference-rate file.")
    date_index = lowered.index("date")
    currencies = {index: name for index, name in enumerate(columns) if name in known_currencies() and name != EUR}
    if not currencies:
        raise ValueError("No currency columns: not an ECB reference-rate file.")
    if len(set(currencies.values())) != len(currencies):
        raise ValueError("A currency column appears twice.")

    rates: dict[tuple[str, datetime.date], Decimal] = {}
    days_seen: set[datetime.date] = set()
    for line, row in enumerate(rows, start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if any(cells[len(columns) :]):
            raise ValueError(f"Line {line}: more values than columns.")
        day = _parse_date(cells[date_index] if date_index < len(cells) else "", line=line)
        if day in days_seen:
            raise ValueError(f"Line {line}: {day} appears twice.")
        days_seen.add(day)
        for index, quote in currencies.items():
            cell = cells[index] if index < len(cells) else ""
            if cell.upper() in _MISSING:
                continue
            rates[(quote, day)] = _parse_rate(cell, line=line, quote=quote)
    return rates


def _parse_date(text: str, *, line: int) -> datetime.date:
    try:
        if match := _DAILY_DATE.fullmatch(text):
            day, month, year = match.groups()
            return datetime.date(int(year), _MONTHS[month.lower()], int(day))
        if _ISO_DATE.fullmatch(text):
            return datetime.date.fromisoformat(text)
    except (KeyError, ValueError):
        pass
    raise ValueError(f"Line {line}: {text!r} is not a date (expected 2026-12-04 or 04 December 2026).")


def _parse_rate(text: str, *, line: int, quote: str) -> Decimal:
    try:
        if not _NUMBER.fullmatch(text):
            raise InvalidOperation
        rate = Decimal(text)
        ExchangeRate.check_rate(rate)
    except (InvalidOperation, ValueError) as exc:
        detail = f" ({exc})" if str(exc) else ""
        raise ValueError(f"Line {line}, {quote}: {text!r} is not a usable rate{detail}.") from None
    return rate


# --- operators' edits --------------------------------------------------------------

_AUDITED_FIELDS = ("base", "quote", "date", "rate", "source")


@transaction.atomic
def exchange_rate_save(*, rate: ExchangeRate, actor) -> ExchangeRate:
    """Create or change one rate by hand (the admin's path), validated and audited.

    Records already converted keep the rate they were saved with; a correction
    applies to records written after it.
    """
    creating = rate._state.adding
    before = {} if creating else _audit_state(ExchangeRate.objects.select_for_update().get(pk=rate.pk))
    rate.full_clean()
    rate.save()
    changes = diff(before, _audit_state(rate))
    if creating or changes:
        audit_log(
            action="exchange_rate.created" if creating else "exchange_rate.updated",
            actor=actor,
            target=rate,
            changes=changes,
        )
    return rate


@transaction.atomic
def exchange_rate_delete(*, rate: ExchangeRate, actor) -> None:
    """Remove one rate by hand, audited with what it was."""
    audit_log(action="exchange_rate.deleted", actor=actor, target=rate, changes=diff(_audit_state(rate), {}))
    rate.delete()


def _audit_state(rate: ExchangeRate) -> dict[str, object]:
    state = {field: getattr(rate, field) for field in _AUDITED_FIELDS}
    # "1.25" typed in the admin and "1.2500000000" read back are the same rate.
    if isinstance(state["rate"], Decimal):
        state["rate"] = state["rate"].quantize(Decimal(1).scaleb(-RATE_DECIMAL_PLACES))
    return state
