"""Exchange rates: the ECB import, the rate a record gets, the admin and the command."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from records.exchange_rates import ImportResult, import_ecb_csv, rate_for
from records.models import ExchangeRate
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
DAILY = DATA / "eurofxref.csv"
HISTORICAL = DATA / "eurofxref-hist.csv"

DAY = datetime.date(2026, 12, 4)


def stored(quote: str, day: datetime.date, base: str = "EUR") -> Decimal:
    return ExchangeRate.objects.get(base=base, quote=quote, date=day).rate


def add_rate(base: str, quote: str, rate: str, day: datetime.date = DAY, source: str = "manual") -> ExchangeRate:
    return ExchangeRate.objects.create(base=base, quote=quote, date=day, rate=Decimal(rate), source=source)


def write_csv(tmp_path: Path, text: str, name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- import --------------------------------------------------------------------------


def test_daily_file_is_imported_as_eur_rates():
    result = import_ecb_csv(path_or_file=DAILY)

    assert result == ImportResult(created=15, updated=0, unchanged=0, dates=1)
    assert stored("USD", DAY) == Decimal("1.0834")
    assert stored("JPY", DAY) == Decimal("160.5")
    assert stored("KRW", DAY) == Decimal("1536.48")
    assert set(ExchangeRate.objects.values_list("base", "source", "date").distinct()) == {("EUR", "ecb", DAY)}


def test_historical_file_skips_missing_values_and_keeps_withdrawn_currencies():
    result = import_ecb_csv(path_or_file=HISTORICAL)

    assert result == ImportResult(created=17, updated=0, unchanged=0, dates=4)
    assert stored("CYP", datetime.date(2007, 12, 31)) == Decimal("0.585274")
    assert stored("BGN", datetime.date(2007, 12, 31)) == Decimal("1.9558")
    assert stored("JPY", datetime.date(2026, 12, 3)) == Decimal("159.82")
    # N/A and empty cells are no rate, not a zero.
    assert not ExchangeRate.objects.filter(quote="KWD").exists()
    assert not ExchangeRate.objects.filter(quote="ISK", date=datetime.date(2026, 12, 2)).exists()


def test_reimporting_the_same_file_changes_nothing():
    import_ecb_csv(path_or_file=HISTORICAL)
    before = list(ExchangeRate.objects.order_by("pk").values_list("pk", "rate", "source", "updated_at"))

    result = import_ecb_csv(path_or_file=HISTORICAL)

    assert result == ImportResult(created=0, updated=0, unchanged=17, dates=4)
    assert list(ExchangeRate.objects.order_by("pk").values_list("pk", "rate", "source", "updated_at")) == before


def test_same_rates_in_the_other_file_shape_are_unchanged():
    # Given the historical file, whose newest day the daily file repeats ("160.50" vs "160.5")
    import_ecb_csv(path_or_file=HISTORICAL)

    result = import_ecb_csv(path_or_file=DAILY)

    assert result == ImportResult(created=11, updated=0, unchanged=4, dates=1)


def test_a_changed_rate_is_updated_and_counted(tmp_path):
    import_ecb_csv(path_or_file=DAILY)
    add_rate("EUR", "CAD", "1.5", day=DAY)  # an operator's row for a pair the file doesn't carry
    ExchangeRate.objects.filter(quote="JPY").update(source="manual")
    text = DAILY.read_text().replace(" 1.0834,", " 1.0901,")

    result = import_ecb_csv(path_or_file=write_csv(tmp_path, text))

    # USD's rate and JPY's source differ from the file: both are overwritten.
    assert result == ImportResult(created=0, updated=2, unchanged=13, dates=1)
    assert stored("USD", DAY) == Decimal("1.0901")
    assert ExchangeRate.objects.get(quote="JPY").source == "ecb"
    assert stored("CAD", DAY) == Decimal("1.5")


def test_source_is_recorded():
    import_ecb_csv(path_or_file=DAILY, source="ecb-mirror")

    assert set(ExchangeRate.objects.values_list("source", flat=True)) == {"ecb-mirror"}


def test_columns_that_are_not_currencies_are_skipped(tmp_path):
    path = write_csv(tmp_path, "Date,USD,QQQ,Notes,EUR,\n2026-12-04,1.0834,3.5,hello,1,\n")

    result = import_ecb_csv(path_or_file=path)

    assert result.created == 1
    assert list(ExchangeRate.objects.values_list("quote", flat=True)) == ["USD"]


def test_file_objects_are_accepted_in_text_and_bytes_with_a_byte_order_mark():
    text = DAILY.read_text()

    assert import_ecb_csv(path_or_file=io.StringIO(text)).created == 15
    assert import_ecb_csv(path_or_file=io.BytesIO(("\ufeff" + text).encode())).unchanged == 15


def test_trailing_zeros_are_not_precision(tmp_path):
    path = write_csv(tmp_path, "Date,USD,\n2026-12-04,1.083400000000000000,\n")

    import_ecb_csv(path_or_file=path)

    assert stored("USD", DAY) == Decimal("1.0834")


def test_daily_dates_are_read_in_english_whatever_the_day_width(tmp_path):
    path = write_csv(tmp_path, "Date, USD, \n4 December 2026, 1.0834, \n")

    import_ecb_csv(path_or_file=path)

    assert stored("USD", DAY) == Decimal("1.0834")


MALFORMED = {
    "bad_date": "Date,USD,JPY,\n2026-12-04,1.0834,160.5,\n2026-13-01,1.0791,159.82,\n",
    "bad_daily_date": "Date, USD, \n04 Decembre 2026, 1.0834, \n",
    "non_numeric_rate": "Date,USD,JPY,\n2026-12-04,1.0834,160.5,\n2026-12-03,1.0791,abc,\n",
    "negative_rate": "Date,USD,\n2026-12-04,1.0834,\n2026-12-03,-1.0791,\n",
    "zero_rate": "Date,USD,\n2026-12-04,1.0834,\n2026-12-03,0,\n",
    "exponent_rate": "Date,USD,\n2026-12-04,1.0834,\n2026-12-03,1e3,\n",
    "too_many_decimals": "Date,USD,\n2026-12-04,1.0834,\n2026-12-03,1.00000000001,\n",
    "too_many_digits": "Date,USD,\n2026-12-04,1.0834,\n2026-12-03,12345.12345678901,\n",
    "missing_date_column": "Day,USD,JPY,\n2026-12-04,1.0834,160.5,\n",
    "no_currency_columns": "Date,Foo,\n2026-12-04,1.0834,\n",
    "day_listed_twice": "Date,USD,\n2026-12-04,1.0834,\n2026-12-04,1.0834,\n",
    "extra_values": "Date,USD,\n2026-12-04,1.0834,,160.5\n",
    "empty": "",
}


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_file_raises_and_writes_nothing(tmp_path, text):
    import_ecb_csv(path_or_file=HISTORICAL)
    before = list(ExchangeRate.objects.order_by("pk").values_list("pk", "rate", "updated_at"))

    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        import_ecb_csv(path_or_file=write_csv(tmp_path, text))

    assert list(ExchangeRate.objects.order_by("pk").values_list("pk", "rate", "updated_at")) == before


def test_malformed_file_message_names_the_line_and_value(tmp_path):
    with pytest.raises(ValueError, match=r"Line 3, JPY: 'abc' is not a usable rate"):
        import_ecb_csv(path_or_file=write_csv(tmp_path, MALFORMED["non_numeric_rate"]))
    with pytest.raises(ValueError, match="No Date column"):
        import_ecb_csv(path_or_file=write_csv(tmp_path, MALFORMED["missing_date_column"]))


def test_a_full_historical_file_is_imported_in_a_few_statements(tmp_path, django_assert_max_num_queries):
    # ~ the real eurofxref-hist.csv: 6,500 days x 40 currencies.
    codes = "USD JPY BGN CZK DKK GBP HUF PLN RON SEK CHF ISK NOK TRY AUD BRL CAD CNY HKD IDR".split()
    codes += "ILS INR KRW MXN MYR NZD PHP SGD THB ZAR CYP EEK LTL LVL MTL ROL SIT SKK TRL HRK".split()
    first = datetime.date(2000, 1, 3)
    lines = ["Date," + ",".join(codes) + ","]
    for offset in range(6500):
        day = first + datetime.timedelta(days=offset)
        lines.append(f"{day:%Y-%m-%d}," + ",".join(f"{1 + offset % 97 / 100 + index:.4f}" for index in range(40)) + ",")
    path = write_csv(tmp_path, "\n".join(lines) + "\n")

    with django_assert_max_num_queries(300):
        result = import_ecb_csv(path_or_file=path)

    assert result == ImportResult(created=260_000, updated=0, unchanged=0, dates=6500)


# --- the command ---------------------------------------------------------------------


def test_command_imports_files_and_prints_counts():
    out = io.StringIO()

    call_command("import_exchange_rates", str(DAILY), str(HISTORICAL), stdout=out)

    assert "15 created, 0 updated, 0 unchanged" in out.getvalue()
    assert "13 created, 0 updated, 4 unchanged" in out.getvalue()
    assert ExchangeRate.objects.count() == 28


def test_command_with_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_exchange_rates", str(tmp_path / "missing.csv"), stdout=io.StringIO())


def test_command_writes_nothing_when_any_file_is_malformed(tmp_path):
    bad = write_csv(tmp_path, MALFORMED["bad_date"])

    with pytest.raises(CommandError, match="Line 3"):
        call_command("import_exchange_rates", str(DAILY), str(bad), stdout=io.StringIO())

    assert not ExchangeRate.objects.exists()


def test_command_needs_a_file():
    with pytest.raises(CommandError):
        call_command("import_exchange_rates")


# --- the rate a record gets -----------------------------------------------------------


def test_same_currency_rate_is_one():
    assert rate_for(currency="JPY", base="JPY", on=DAY) == Decimal(1)


def test_direct_rate_is_used_as_stored():
    add_rate("USD", "JPY", "150.25")

    assert rate_for(currency="USD", base="JPY", on=DAY) == Decimal("150.25")


def test_inverse_rate_is_one_over_the_stored_rate():
    add_rate("EUR", "USD", "1.25")

    assert rate_for(currency="USD", base="EUR", on=DAY) == Decimal("0.8")
    assert rate_for(currency="EUR", base="USD", on=DAY) == Decimal("1.25")


def test_cross_rate_goes_through_eur():
    add_rate("EUR", "USD", "1.25")
    add_rate("EUR", "JPY", "150")

    assert rate_for(currency="USD", base="JPY", on=DAY) == Decimal(120)
    assert rate_for(currency="JPY", base="USD", on=DAY) == Decimal("0.0083333333")


def test_rates_are_rounded_half_up_to_ten_places():
    add_rate("EUR", "USD", "3")
    add_rate("EUR", "GBP", "2")

    # 2/3 = 0.66666666666…
    assert str(rate_for(currency="USD", base="GBP", on=DAY)) == "0.6666666667"


def test_rates_keep_at_most_fifteen_significant_digits():
    add_rate("EUR", "KWD", "0.3251")
    add_rate("EUR", "IRR", "1480000.5")

    rate = rate_for(currency="KWD", base="IRR", on=DAY)

    # 4552446.93940326053… : 7 integer digits leave 8 decimals, not 10.
    assert rate == Decimal("4552446.93940326")
    assert len(rate.as_tuple().digits) <= 15


def test_a_rate_too_small_for_ten_places_is_no_rate():
    add_rate("EUR", "IDR", "9999999999")
    add_rate("EUR", "KWD", "0.0000000001")

    # 1 IDR = 1e-20 KWD: zero at 10 places, and a zero rate would silently zero the record.
    assert rate_for(currency="IDR", base="KWD", on=DAY) is None


def test_latest_rate_on_or_before_the_date_is_used_never_a_later_one():
    add_rate("EUR", "USD", "1.10", day=datetime.date(2026, 12, 1))
    add_rate("EUR", "USD", "1.20", day=datetime.date(2026, 12, 3))
    add_rate("EUR", "USD", "1.30", day=datetime.date(2026, 12, 5))

    assert rate_for(currency="EUR", base="USD", on=datetime.date(2026, 12, 4)) == Decimal("1.20")
    assert rate_for(currency="EUR", base="USD", on=datetime.date(2026, 12, 3)) == Decimal("1.20")
    assert rate_for(currency="EUR", base="USD", on=datetime.date(2026, 12, 2)) == Decimal("1.10")
    assert rate_for(currency="EUR", base="USD", on=datetime.date(2026, 11, 30)) is None


def test_no_rate_gives_none():
    add_rate("EUR", "USD", "1.25")

    assert rate_for(currency="GBP", base="USD", on=DAY) is None
    assert rate_for(currency="GBP", base="JPY", on=DAY) is None


def test_the_most_recent_source_wins_over_an_older_direct_rate():
    add_rate("USD", "JPY", "100", day=datetime.date(2026, 12, 1))
    add_rate("JPY", "USD", "0.008", day=datetime.date(2026, 12, 2))
    assert rate_for(currency="USD", base="JPY", on=DAY) == Decimal(125)

    add_rate("EUR", "USD", "1.25", day=datetime.date(2026, 12, 3))
    add_rate("EUR", "JPY", "150", day=datetime.date(2026, 12, 3))
    assert rate_for(currency="USD", base="JPY", on=DAY) == Decimal(120)


def test_on_the_same_day_direct_beats_inverse_beats_cross():
    add_rate("EUR", "USD", "1.25")
    add_rate("EUR", "JPY", "150")
    add_rate("JPY", "USD", "0.008")  # 125 JPY per USD
    assert rate_for(currency="USD", base="JPY", on=DAY) == Decimal(125)

    add_rate("USD", "JPY", "130")
    assert rate_for(currency="USD", base="JPY", on=DAY) == Decimal(130)


def test_cross_rate_uses_the_latest_day_both_legs_exist():
    add_rate("EUR", "USD", "1.25", day=datetime.date(2026, 12, 2))
    add_rate("EUR", "JPY", "150", day=datetime.date(2026, 12, 2))
    add_rate("EUR", "USD", "1.50", day=datetime.date(2026, 12, 3))  # no JPY that day

    assert rate_for(currency="USD", base="JPY", on=DAY) == Decimal(120)


def test_rate_for_takes_a_constant_number_of_queries(django_assert_num_queries):
    import_ecb_csv(path_or_file=HISTORICAL)

    with django_assert_num_queries(3):
        assert rate_for(currency="USD", base="GBP", on=DAY) == Decimal("0.7708602548")
    with django_assert_num_queries(2):
        assert rate_for(currency="USD", base="EUR", on=DAY) == Decimal("0.9230201218")


def test_rates_from_the_ecb_file_convert_between_any_two_of_its_currencies():
    import_ecb_csv(path_or_file=DAILY)

    # 160.50 / 1.0834 JPY per USD
    assert rate_for(currency="USD", base="JPY", on=datetime.date(2026, 12, 31)) == Decimal("148.1447295551")


# --- database rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "quote", "rate"),
    [("EUR", "USD", "0"), ("EUR", "USD", "-1.25"), ("EUR", "EUR", "1")],
    ids=["zero", "negative", "same_currency"],
)
def test_database_refuses_impossible_rates(base, quote, rate):
    with pytest.raises(IntegrityError), transaction.atomic():
        add_rate(base, quote, rate)


def test_database_refuses_a_second_rate_for_the_same_pair_and_day():
    add_rate("EUR", "USD", "1.25")

    with pytest.raises(IntegrityError), transaction.atomic():
        add_rate("EUR", "USD", "1.26")


# --- the admin ---------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def admin_form(**overrides) -> dict[str, str]:
    return {"base": "USD", "quote": "JPY", "date": "2026-12-04", "rate": "150.25", "source": "manual", **overrides}


def test_admin_lists_filters_and_searches_rates(staff_client, django_assert_max_num_queries):
    import_ecb_csv(path_or_file=HISTORICAL)

    with django_assert_max_num_queries(12):
        response = staff_client.get("/admin/records/exchangerate/", {"quote": "USD", "q": "usd"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 4


def test_admin_add_writes_an_audit_event(staff_client, staff):
    response = staff_client.post("/admin/records/exchangerate/add/", admin_form())

    assert response.status_code == 302, response.content.decode()[:2000]
    rate = ExchangeRate.objects.get()
    assert rate.rate == Decimal("150.25")
    event = AuditEvent.objects.get(action="exchange_rate.created")
    assert event.actor == staff
    assert event.target_id == str(rate.pk)


def test_admin_edit_audits_only_what_changed(staff_client):
    rate = add_rate("USD", "JPY", "150.25")

    response = staff_client.post(f"/admin/records/exchangerate/{rate.pk}/change/", admin_form(rate="151"))

    assert response.status_code == 302
    assert AuditEvent.objects.get(action="exchange_rate.updated").changes == {
        "rate": ["150.2500000000", "151.0000000000"]
    }


def test_admin_delete_is_audited(staff_client):
    rate = add_rate("USD", "JPY", "150.25")

    response = staff_client.post(f"/admin/records/exchangerate/{rate.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not ExchangeRate.objects.exists()
    assert AuditEvent.objects.get(action="exchange_rate.deleted").changes["rate"] == ["150.2500000000", None]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"base": "usd"}, "base"),
        ({"quote": "ABC"}, "quote"),
        ({"quote": "USD"}, "quote"),
        ({"rate": "0"}, "rate"),
        ({"rate": "1234567.123456789"}, "rate"),
    ],
    ids=["lower_case", "unknown_code", "same_currency", "zero", "sixteen_digits"],
)
def test_admin_rejects_invalid_rates(staff_client, overrides, field):
    response = staff_client.post("/admin/records/exchangerate/add/", admin_form(**overrides))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not ExchangeRate.objects.exists()
