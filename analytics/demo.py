"""Demo data for `manage.py seed_demo`, and the bulk record writer the benchmarks reuse.

`seed_demo()` replaces the demo organization (owned by demo@example.com) with a
fresh one: members in every role, two projects in two base currencies, their
categories and tags, and N records over the three years up to today.

Records are not written through `records.services.record_create`: one call per
row keeps rollups and the audit log in step row by row, which is right for the
API and far too slow for a million rows. Here rows are streamed in batches
(PostgreSQL `COPY`, SQLite `executemany`), the rollups are rebuilt once per
project from the records (`analytics.rollups.rebuild`) and then verified, and
no audit event is written per record: seeding is not a user's change. The
organization, its projects and memberships still go through the tenancy
services, so they carry their usual audit events.

Determinism: a seed drives one `random.Random` per project, and record dates are
drawn as a number of days before `today` inside a fixed window of
`WINDOW_DAYS` days. The same seed on the same day therefore gives the same data;
on another day it gives the same amounts, categories, currencies, sources,
descriptions and tags, every date shifted by the days in between. Pass `today`
to pin it. Ids are random (uuid4) and differ between runs, and a record dated
today gets a creation time no later than the moment it is written.
"""

from __future__ import annotations

import datetime
import random
import secrets
import time
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from allauth.account.models import EmailAddress
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from analytics import rollups
from analytics.models import DailyRollup, MonthlyRollup
from records.currency import minor_units
from records.models import Category, Record, RecordType, Source, Tag
from records.services import base_amount_minor
from tenancy import services as tenancy_services
from tenancy.models import Organization, OrganizationMember, OrgRole, Project, ProjectRole
from tenancy.permissions import Access

DEMO_ORGANIZATION_NAME = "Demo Organization"
DEMO_PASSWORD = "demo-password"
OWNER_EMAIL = "demo@example.com"

# Today and the 1095 days before it: three years (one of them a leap year or
# not) without the window's length depending on the calendar.
WINDOW_DAYS = 3 * 365 + 1

# The main project gets 13 records in 20, the second the rest.
MAIN_PROJECT_SHARE = (13, 20)

PG_BATCH = 50_000
SQLITE_BATCH = 10_000

ProgressCallback = Callable[[int, int], None]


# --- what the demo is made of ----------------------------------------------------------------


@dataclass(frozen=True)
class CategorySpec:
    """A category and how its records look. Amounts are in the project's base
    currency, as integer minor units; draws lean towards `low` (most purchases
    are small)."""

    name: str
    type: str
    weight: int  # relative number of records
    low: int
    high: int
    sources: tuple[str, ...]  # drawn uniformly: repeat one to make it likelier
    step: int = 1  # amounts are multiples of this many minor units (rent in whole tens, ...)
    price_point: bool = False  # ends in .99, like a subscription
    foreign_share: float = 0.02  # how often a record is in another currency


@dataclass(frozen=True)
class ForeignCurrency:
    """A currency the project's records are sometimes in, with the range of its
    rate (base units per one unit of it) as integers scaled by 10**-6."""

    code: str
    rate_low: int
    rate_high: int


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    base_currency: str
    categories: tuple[CategorySpec, ...]
    descriptions: dict[str, tuple[str, ...]]  # by category name
    tags: tuple[str, ...]
    foreign: tuple[ForeignCurrency, ...]


EXPENSE, INCOME = RecordType.EXPENSE.value, RecordType.INCOME.value
CARD, BANK, CASH = Source.CARD.value, Source.BANK.value, Source.CASH.value
WALLET, OTHER = Source.WALLET.value, Source.OTHER.value

HOUSEHOLD = Profile(
    name="Household (USD)",
    description="A family's day-to-day budget, kept in US dollars.",
    base_currency="USD",
    categories=(
        CategorySpec("Groceries", EXPENSE, 22, 800, 18_000, (CARD, CARD, CASH, WALLET)),
        CategorySpec("Dining Out", EXPENSE, 14, 650, 12_000, (CARD, WALLET, CASH)),
        CategorySpec("Transport", EXPENSE, 10, 275, 8_500, (CARD, WALLET, CASH)),
        CategorySpec("Utilities", EXPENSE, 4, 3_500, 24_000, (BANK,)),
        CategorySpec("Rent", EXPENSE, 2, 165_000, 195_000, (BANK,), step=5_000, foreign_share=0),
        CategorySpec("Healthcare", EXPENSE, 3, 1_500, 45_000, (CARD, BANK)),
        CategorySpec("Entertainment", EXPENSE, 6, 800, 15_000, (CARD, WALLET)),
        CategorySpec("Subscriptions", EXPENSE, 5, 499, 2_299, (CARD,), price_point=True, foreign_share=0),
        CategorySpec("Shopping", EXPENSE, 7, 1_000, 40_000, (CARD, WALLET, CASH), foreign_share=0.04),
        CategorySpec("Travel", EXPENSE, 3, 4_000, 180_000, (CARD, CARD, CASH), foreign_share=0.35),
        CategorySpec("Insurance", EXPENSE, 1, 9_000, 26_000, (BANK,), foreign_share=0),
        CategorySpec("Education", EXPENSE, 2, 2_000, 60_000, (CARD, BANK)),
        CategorySpec("Salary", INCOME, 3, 420_000, 560_000, (BANK,), step=100, foreign_share=0),
        CategorySpec("Freelance", INCOME, 3, 15_000, 240_000, (BANK, WALLET), foreign_share=0.2),
        CategorySpec("Interest & Dividends", INCOME, 2, 50, 18_000, (BANK,)),
        CategorySpec("Refunds", INCOME, 2, 500, 25_000, (CARD, BANK)),
        CategorySpec("Gifts", INCOME, 1, 2_000, 50_000, (CASH, BANK), step=500),
    ),
    descriptions={
        "Groceries": ("Weekly groceries", "Supermarket", "Farmers market", "Bakery", "Corner shop"),
        "Dining Out": ("Lunch", "Dinner out", "Coffee", "Takeaway pizza", "Brunch with friends"),
        "Transport": ("Fuel", "Metro card top-up", "Parking", "Ride share", "Train ticket"),
        "Utilities": ("Electricity bill", "Water bill", "Internet", "Mobile phone", "Gas bill"),
        "Rent": ("Monthly rent",),
        "Healthcare": ("Pharmacy", "Dentist", "Doctor co-pay", "Eye exam"),
        "Entertainment": ("Cinema", "Concert tickets", "Books", "Video game", "Museum"),
        "Subscriptions": ("Streaming service", "Music streaming", "Cloud storage", "News subscription"),
        "Shopping": ("Clothing", "Household supplies", "Electronics", "Birthday present", "Online order"),
        "Travel": ("Flight", "Hotel", "Car rental", "Museum pass", "Train tickets abroad"),
        "Insurance": ("Car insurance", "Home insurance", "Health insurance premium"),
        "Education": ("Online course", "School supplies", "Tuition", "Textbooks"),
        "Salary": ("Monthly salary", "Payroll"),
        "Freelance": ("Website project", "Consulting hours", "Logo design", "Translation job"),
        "Interest & Dividends": ("Savings interest", "Dividend payout", "Bond coupon"),
        "Refunds": ("Store refund", "Tax refund", "Returned order"),
        "Gifts": ("Birthday gift", "Holiday gift"),
    },
    tags=("recurring", "family", "vacation", "tax-deductible", "reimbursable", "essentials"),
    foreign=(
        ForeignCurrency("EUR", 1_040_000, 1_120_000),
        ForeignCurrency("GBP", 1_220_000, 1_320_000),
        ForeignCurrency("JPY", 6_400, 7_600),  # no minor unit
        ForeignCurrency("MXN", 49_000, 60_000),
    ),
)

STUDIO = Profile(
    name="Studio (EUR)",
    description="A small design studio's books, kept in euros.",
    base_currency="EUR",
    categories=(
        CategorySpec("Software & SaaS", EXPENSE, 14, 900, 45_000, (CARD,), foreign_share=0.5),
        CategorySpec("Contractors", EXPENSE, 8, 25_000, 480_000, (BANK,), foreign_share=0.15),
        CategorySpec("Office Rent", EXPENSE, 3, 140_000, 160_000, (BANK,), step=5_000, foreign_share=0),
        CategorySpec("Hardware", EXPENSE, 4, 2_500, 280_000, (CARD, BANK)),
        CategorySpec("Travel", EXPENSE, 6, 3_000, 140_000, (CARD, CARD, CASH), foreign_share=0.3),
        CategorySpec("Marketing", EXPENSE, 5, 5_000, 150_000, (CARD, BANK)),
        CategorySpec("Accounting & Legal", EXPENSE, 2, 12_000, 90_000, (BANK,)),
        CategorySpec("Utilities", EXPENSE, 3, 4_000, 32_000, (BANK,), foreign_share=0),
        CategorySpec("Bank Fees", EXPENSE, 3, 150, 4_500, (BANK,), step=5),
        CategorySpec("Meals & Coffee", EXPENSE, 10, 320, 9_500, (CARD, CASH, WALLET)),
        CategorySpec("Office Supplies", EXPENSE, 6, 400, 16_000, (CARD, CASH, OTHER)),
        CategorySpec("Client Projects", INCOME, 10, 80_000, 1_800_000, (BANK,), step=100, foreign_share=0.25),
        CategorySpec("Retainers", INCOME, 5, 150_000, 400_000, (BANK,), step=10_000),
        CategorySpec("Licensing", INCOME, 3, 10_000, 250_000, (BANK, WALLET), foreign_share=0.3),
        CategorySpec("Workshops", INCOME, 2, 30_000, 320_000, (BANK, CARD), step=1_000),
        CategorySpec("Grants", INCOME, 1, 200_000, 1_500_000, (BANK,), step=50_000, foreign_share=0),
    ),
    descriptions={
        "Software & SaaS": ("Design tool licence", "Cloud hosting", "Font licence", "Project tracker", "Stock photos"),
        "Contractors": ("Illustrator invoice", "Developer invoice", "Copywriting", "Photography"),
        "Office Rent": ("Studio rent",),
        "Hardware": ("Laptop", "Monitor", "Drawing tablet", "Cables and adapters"),
        "Travel": ("Client visit", "Conference travel", "Hotel", "Train tickets"),
        "Marketing": ("Social ads", "Printed portfolio", "Trade fair booth", "Newsletter tool"),
        "Accounting & Legal": ("Bookkeeping", "Tax advisor", "Contract review"),
        "Utilities": ("Electricity", "Internet", "Phone plan"),
        "Bank Fees": ("Account fee", "Wire transfer fee", "Card fee"),
        "Meals & Coffee": ("Team lunch", "Coffee beans", "Client dinner"),
        "Office Supplies": ("Paper and pens", "Printer ink", "Sketchbooks"),
        "Client Projects": ("Brand identity project", "Website redesign", "Packaging design", "Annual report layout"),
        "Retainers": ("Monthly retainer",),
        "Licensing": ("Image licence", "Template sales", "Font royalties"),
        "Workshops": ("Design workshop", "Guest lecture"),
        "Grants": ("Creative industries grant",),
    },
    tags=("client-billable", "recurring", "tax-deductible", "equipment", "remote", "quarter-end"),
    foreign=(
        ForeignCurrency("USD", 880_000, 960_000),
        ForeignCurrency("GBP", 1_140_000, 1_200_000),
        ForeignCurrency("CHF", 1_020_000, 1_080_000),
        ForeignCurrency("KWD", 2_850_000, 3_100_000),  # three decimals
    ),
)


PROFILES = (HOUSEHOLD, STUDIO)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    org_role: str
    project_role: str | None = None  # on the main project


DEMO_PEOPLE = (
    DemoPerson(OWNER_EMAIL, "Dana Demo", OrgRole.OWNER, ProjectRole.OWNER),
    DemoPerson("admin@example.com", "Alex Admin", OrgRole.ADMIN),
    DemoPerson("member@example.com", "Morgan Member", OrgRole.MEMBER),
    DemoPerson("manager@example.com", "Pat Manager", OrgRole.MEMBER, ProjectRole.ADMIN),
    DemoPerson("analyst@example.com", "Ana Analyst", OrgRole.MEMBER, ProjectRole.ANALYST),
    DemoPerson("viewer@example.com", "Vic Viewer", OrgRole.MEMBER, ProjectRole.VIEWER),
)


@dataclass
class Account:
    user: User
    created: bool
    role: str


@dataclass
class DemoSummary:
    organization: Organization
    projects: list[Project]
    accounts: list[Account]
    records: int
    replaced_organizations: int
    timings: dict[str, float] = field(default_factory=dict)


# --- users, the organization and its projects ------------------------------------------------


def ensure_user(*, email: str, name: str, password: str) -> tuple[User, bool]:
    """The user with this email, created (verified, with `password`) when missing.

    An existing user is reused as it is: their password and email status are
    not touched. The password is set directly, skipping the validators, since
    the demo one is deliberately weak.
    """
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, password=password, name=name)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user, True


def demo_organizations(*, owner: User):
    """Organizations a previous run left: named like the demo one and owned by `owner`."""
    return Organization.objects.filter(
        name=DEMO_ORGANIZATION_NAME, memberships__user=owner, memberships__role=OrgRole.OWNER
    )


def delete_organization(*, organization: Organization) -> None:
    """Hard-delete an organization and everything in it.

    The bulky tables (tag links, records, rollups) go first with one statement
    each; Django's cascade would load every record into memory. The rest is
    small and left to the ORM's cascade. Audit events stay: they are history,
    and the database refuses to delete them anyway.
    """
    project_ids = list(Project.objects.filter(organization=organization).values_list("pk", flat=True))
    if project_ids:
        links = Record.tags.through
        record_ids = Record.objects.filter(project_id__in=project_ids).values("pk")
        links.objects.filter(record_id__in=record_ids).delete()
        for model in (DailyRollup, MonthlyRollup):
            model.objects.filter(project_id__in=project_ids).delete()
        _delete_records(project_ids)
        Tag.objects.filter(project_id__in=project_ids).delete()
        Category.objects.filter(project_id__in=project_ids).delete()
    organization.delete()


def _delete_records(project_ids: Sequence) -> None:
    # One statement: Record has a reverse relation (its tag links), so
    # QuerySet.delete() would fetch every row to cascade, though the links
    # are already gone.
    quote = connection.ops.quote_name
    project = Record._meta.get_field("project")
    params = [project.target_field.get_db_prep_value(pk, connection) for pk in project_ids]
    placeholders = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(Record._meta.db_table)} WHERE {quote(project.column)} IN ({placeholders})", params
        )


def create_catalog(*, project: Project, profile: Profile) -> Catalog:
    """The profile's categories and tags in `project` (bulk; they are seed data,
    not a user's change, so no audit events)."""
    categories = Category.objects.bulk_create(
        [Category(project=project, name=spec.name, type=spec.type) for spec in profile.categories]
    )
    tags = Tag.objects.bulk_create([Tag(project=project, name=name) for name in profile.tags])
    return Catalog(profile=profile, categories=categories, tags=tags)


@dataclass(frozen=True)
class Catalog:
    profile: Profile
    categories: list[Category]  # in the order of profile.categories
    tags: list[Tag]


# --- generating records ----------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """Rows ready for the database, every value already its text form.

    Record rows follow RECORD_FIELDS; link rows are (record id, tag id).
    """

    records: list[tuple]
    links: list[tuple]


RECORD_FIELDS = (
    "id",
    "project",
    "type",
    "amount",
    "currency",
    "exchange_rate",
    "base_amount_minor",
    "category",
    "source",
    "description",
    "date",
    "created_by",
    "created_at",
    "updated_at",
)


def _decimal_text(minor: int, places: int) -> str:
    if places == 0:
        return str(minor)
    whole, fraction = divmod(minor, 10**places)
    return f"{whole}.{fraction:0{places}d}"


def generate_records(
    *,
    project: Project,
    catalog: Catalog,
    count: int,
    seed: int,
    today: datetime.date,
    authors: Sequence[User],
    now: datetime.datetime,
    timestamp_suffix: str,
    batch_size: int,
) -> Iterator[Batch]:
    """`count` records for `project`, in batches, deterministic for `seed` and `today`.

    Everything drawn comes from one `random.Random(seed)` with integer
    arithmetic on its draws (no libm), so the data are the same on every
    platform. `authors` take turns by chance (the first most often).
    """
    rng = random.Random(seed)
    # Ids are not part of the data and must never repeat, across runs or projects.
    ids = random.Random(secrets.randbits(128))
    profile = catalog.profile
    base = profile.base_currency
    base_places = minor_units(base)
    specs = profile.categories
    descriptions = [profile.descriptions[spec.name] for spec in specs]
    cumulative = list(accumulate(spec.weight for spec in specs))
    total_weight = cumulative[-1]
    category_ids = [category.pk.hex for category in catalog.categories]
    tag_ids = [tag.pk.hex for tag in catalog.tags]
    author_ids = [author.pk.hex for author in authors]
    author_cumulative = list(accumulate([3] + [1] * (len(authors) - 1)))
    foreign_places = {currency.code: minor_units(currency.code) for currency in profile.foreign}
    project_id = project.pk.hex
    days = [(today - datetime.timedelta(days=offset)).isoformat() for offset in range(WINDOW_DAYS)]
    now_text = now.strftime("%Y-%m-%d %H:%M:%S")
    base_text = {}
    version_mask = ~((0xF000 << 64) | (0xC000 << 48))
    version_bits = (0x4000 << 64) | (0x8000 << 48)

    records: list[tuple] = []
    links: list[tuple] = []
    for _ in range(count):
        index = bisect(cumulative, int(rng.random() * total_weight))
        spec = specs[index]
        draw = rng.random()
        minor = spec.low + int((spec.high - spec.low) * draw * draw)
        if spec.step > 1:
            minor = max(spec.step, minor // spec.step * spec.step)
        if spec.price_point:
            minor = minor // 100 * 100 + 99
        day = days[int(rng.random() * WINDOW_DAYS)]
        seconds = 7 * 3600 + int(rng.random() * 16 * 3600)  # between 07:00 and 23:00
        created_at = f"{day} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if created_at > now_text:  # a record of today, at a time still to come
            created_at = now_text
        created_at += timestamp_suffix
        source = spec.sources[int(rng.random() * len(spec.sources))]
        choices = descriptions[index]
        description = choices[int(rng.random() * len(choices))]
        if rng.random() < 0.08:
            description = ""  # not everyone writes one
        author = author_ids[bisect(author_cumulative, int(rng.random() * author_cumulative[-1]))]

        if spec.foreign_share and rng.random() < spec.foreign_share:
            currency = profile.foreign[int(rng.random() * len(profile.foreign))]
            places = foreign_places[currency.code]
            rate_micro = currency.rate_low + int(rng.random() * (currency.rate_high - currency.rate_low + 1))
            rate = Decimal(rate_micro).scaleb(-6)
            # The base-currency draw, converted to the foreign currency and
            # rounded to its minor unit (integer arithmetic, rounding down).
            foreign_minor = max(1, minor * 10**places * 10**6 // (rate_micro * 10**base_places))
            amount = Decimal(foreign_minor).scaleb(-places)
            row_base = base_amount_minor(amount=amount, rate=rate, base_currency=base)
            amount_text, code, rate_text = _decimal_text(foreign_minor, places), currency.code, f"{rate:f}"
        else:
            row_base = minor
            amount_text = base_text.get(minor)
            if amount_text is None:
                amount_text = base_text[minor] = _decimal_text(minor, base_places)
            code, rate_text = base, "1"

        record_id = f"{(ids.getrandbits(128) & version_mask) | version_bits:032x}"
        records.append(
            (
                record_id,
                project_id,
                spec.type,
                amount_text,
                code,
                rate_text,
                str(row_base),
                category_ids[index],
                source,
                description,
                day,
                author,
                created_at,
                created_at,
            )
        )
        tagged = rng.random()
        if tagged < 0.3:  # 30% carry a tag, one in six of those two
            for tag in rng.sample(tag_ids, 2 if tagged < 0.05 else 1):
                links.append((record_id, tag))

        if len(records) >= batch_size:
            yield Batch(records, links)
            records, links = [], []
    if records:
        yield Batch(records, links)


# --- writing them ----------------------------------------------------------------------------


def _columns(model, names: Sequence[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


class BulkWriter:
    """Inserts batches of rows into the records and record-tag tables.

    PostgreSQL gets `COPY ... FROM STDIN` on Django's own connection (so it is
    part of the caller's transaction); SQLite gets `executemany`. Either way,
    no model instances are built and no signals fire.
    """

    def __init__(self):
        quote = connection.ops.quote_name
        links = Record.tags.through
        self.vendor = connection.vendor
        record_columns = ", ".join(quote(column) for column in _columns(Record, RECORD_FIELDS))
        link_columns = ", ".join(quote(column) for column in _columns(links, ("record", "tag")))
        self.record_table, self.link_table = quote(Record._meta.db_table), quote(links._meta.db_table)
        if self.vendor == "postgresql":
            self.record_sql = f"COPY {self.record_table} ({record_columns}) FROM STDIN"
            self.link_sql = f"COPY {self.link_table} ({link_columns}) FROM STDIN"
        else:
            self.record_sql = (
                f"INSERT INTO {self.record_table} ({record_columns}) VALUES ({', '.join(['%s'] * len(RECORD_FIELDS))})"
            )
            self.link_sql = f"INSERT INTO {self.link_table} ({link_columns}) VALUES (%s, %s)"

    @property
    def batch_size(self) -> int:
        return PG_BATCH if self.vendor == "postgresql" else SQLITE_BATCH

    @property
    def timestamp_suffix(self) -> str:
        # PostgreSQL reads a zone; Django's SQLite backend stores naive UTC text.
        return "+00" if self.vendor == "postgresql" else ""

    def write(self, batch: Batch) -> None:
        if self.vendor == "postgresql":
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                for sql, rows in ((self.record_sql, batch.records), (self.link_sql, batch.links)):
                    if rows:
                        with cursor.copy(sql) as copy:
                            for row in rows:
                                copy.write_row(row)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(self.record_sql, batch.records)
                if batch.links:
                    cursor.executemany(self.link_sql, batch.links)

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load (PostgreSQL), so
        the first queries do not plan for the empty tables of a minute ago."""
        if self.vendor != "postgresql":
            return
        tables = [self.record_table, self.link_table]
        tables += [connection.ops.quote_name(model._meta.db_table) for model in (DailyRollup, MonthlyRollup)]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def seed_project_records(
    *,
    project: Project,
    catalog: Catalog,
    count: int,
    seed: int,
    today: datetime.date,
    authors: Sequence[User],
    writer: BulkWriter | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `count` generated records into `project` and rebuild its rollups.

    Call inside a transaction. `progress(n)` is told after every batch how many
    rows the batch held. Returns the number of records written.
    """
    writer = writer or BulkWriter()
    written = 0
    for batch in generate_records(
        project=project,
        catalog=catalog,
        count=count,
        seed=seed,
        today=today,
        authors=authors,
        now=timezone.now().astimezone(datetime.UTC),
        timestamp_suffix=writer.timestamp_suffix,
        batch_size=writer.batch_size,
    ):
        writer.write(batch)
        written += len(batch.records)
        if progress is not None:
            progress(len(batch.records))
    rollups.rebuild(project_id=project.pk)
    return written


# --- the whole demo --------------------------------------------------------------------------


def split_records(total: int) -> tuple[int, int]:
    """How many of `total` records go to the main and the second project."""
    numerator, denominator = MAIN_PROJECT_SHARE
    main = total * numerator // denominator
    return main, total - main


@transaction.atomic
def seed_demo(
    *,
    records: int = 2000,
    seed: int = 42,
    today: datetime.date | None = None,
    progress: ProgressCallback | None = None,
) -> DemoSummary:
    """Replace the demo organization with a fresh one holding `records` records.

    One transaction: a failure leaves the previous demo as it was. Other
    organizations are never touched (only those named "Demo Organization" and
    owned by demo@example.com are replaced). Raises RuntimeError if the rebuilt
    rollups do not verify.
    """
    if records < 0:
        raise ValueError("The number of records cannot be negative.")
    today = today or timezone.localdate()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    accounts: list[Account] = []
    users: dict[str, User] = {}
    for person in DEMO_PEOPLE:
        user, created = ensure_user(email=person.email, name=person.name, password=DEMO_PASSWORD)
        users[person.email] = user
        accounts.append(Account(user=user, created=created, role=_describe_role(person)))
    owner = users[OWNER_EMAIL]

    replaced = 0
    for organization in list(demo_organizations(owner=owner).distinct()):
        delete_organization(organization=organization)
        replaced += 1
    timings["users and cleanup"] = time.perf_counter() - started

    organization = tenancy_services.organization_create(
        actor=owner, name=DEMO_ORGANIZATION_NAME, description="Demo data from manage.py seed_demo."
    )
    owner_membership = OrganizationMember.objects.get(organization=organization, user=owner)
    owner_access = Access(org_role=OrgRole.OWNER, org_membership_id=owner_membership.pk)
    projects = [
        tenancy_services.project_create(
            organization=organization,
            actor=owner,
            actor_access=owner_access,
            name=profile.name,
            description=profile.description,
            base_currency=profile.base_currency,
        )
        for profile in PROFILES
    ]
    main = projects[0]
    for person in DEMO_PEOPLE:
        if person.org_role == OrgRole.OWNER:
            continue
        OrganizationMember.objects.create(organization=organization, user=users[person.email], role=person.org_role)
        if person.project_role is not None:
            tenancy_services.project_member_add(
                project=main,
                actor=owner,
                actor_access=owner_access,
                user_id=users[person.email].pk,
                role=person.project_role,
            )
    catalogs = [
        create_catalog(project=project, profile=profile) for project, profile in zip(projects, PROFILES, strict=True)
    ]
    timings["structure"] = time.perf_counter() - started - timings["users and cleanup"]

    # Both projects' records are one progress bar.
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, records)

    if progress is not None:
        progress(0, records)
    writer = BulkWriter()
    authors_by_project = [
        [owner, users["manager@example.com"]],  # the project admin writes some household records
        [owner],
    ]
    mark = time.perf_counter()
    for index, (project, catalog, count) in enumerate(zip(projects, catalogs, split_records(records), strict=True)):
        seed_project_records(
            project=project,
            catalog=catalog,
            count=count,
            # One stream per project, both fixed by the seed.
            seed=seed * 1_000 + index,
            today=today,
            authors=authors_by_project[index],
            writer=writer,
            progress=advance,
        )
    timings["records and rollups"] = time.perf_counter() - mark

    mark = time.perf_counter()
    differences = [difference for project in projects for difference in rollups.verify(project_id=project.pk)]
    if differences:
        raise RuntimeError(f"The rebuilt rollups disagree with the records: {differences[:5]}")
    writer.analyze()
    timings["verify"] = time.perf_counter() - mark

    return DemoSummary(
        organization=organization,
        projects=projects,
        accounts=accounts,
        records=records,
        replaced_organizations=replaced,
        timings=timings,
    )


def _describe_role(person: DemoPerson) -> str:
    role = f"organization {person.org_role}"
    if person.project_role == ProjectRole.OWNER:
        return f"{role}, owner of every project"
    if person.project_role is not None:
        return f"{role}, {person.project_role} of {HOUSEHOLD.name}"
    if person.org_role == OrgRole.ADMIN:
        return f"{role} (manages every project)"
    return f"{role} (no project yet)"
