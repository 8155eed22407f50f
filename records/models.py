"""Financial records, their categories and tags, and the exchange rates that
convert them to a project's base currency."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from records.currency import known_currencies


class ExchangeRate(models.Model):
    """One day's rate between two currencies: 1 unit of `base` = `rate` units of `quote`.

    Global, not per tenant: every project reads the same reference rates. The
    ECB file is loaded as EUR→X rows; operators add or correct any pair in the
    admin (source "manual"). Other pairs are derived when a record needs them
    (inverse, cross through EUR), never stored.

    A rate holds at most 15 significant digits: SQLite keeps no more, and the
    same rows must convert a record to the same amount on SQLite and PostgreSQL.
    """

    SIGNIFICANT_DIGITS = 15

    id = models.BigAutoField(primary_key=True)
    base = models.CharField(max_length=3, help_text="ISO 4217 code, upper case, e.g. EUR.")
    quote = models.CharField(max_length=3, help_text="ISO 4217 code, upper case, e.g. USD.")
    date = models.DateField()
    rate = models.DecimalField(max_digits=20, decimal_places=10, help_text="Units of quote for one unit of base.")
    source = models.CharField(max_length=16, default="manual", help_text='Where the rate came from: "ecb", "manual", …')
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "base", "quote"]
        constraints = [
            # Its index, read backwards, answers "latest rate on or before a day"
            # for a pair; a separate (base, quote, -date) index would only
            # duplicate it and slow imports down.
            models.UniqueConstraint(fields=["base", "quote", "date"], name="records_exchangerate_one_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="records_exchangerate_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("quote")), name="records_exchangerate_distinct_currencies"
            ),
        ]

    def __str__(self):
        return f"1 {self.base} = {self.rate} {self.quote} on {self.date}"

    @classmethod
    def check_rate(cls, value: Decimal) -> None:
        """Raise ValueError unless `value` can be stored exactly on every supported database."""
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            raise ValueError(f"{value} is not a positive number.")
        field = cls._meta.get_field("rate")
        # Trailing zeros are not precision; strip them by hand, since normalize()
        # would round to the context precision and hide an over-long value.
        _, digits, exponent = value.as_tuple()
        digits = list(digits)
        while len(digits) > 1 and digits[-1] == 0:
            digits.pop()
            exponent += 1
        if -exponent > field.decimal_places:
            raise ValueError(f"{value} has more than {field.decimal_places} decimal places.")
        if value.adjusted() >= field.max_digits - field.decimal_places:
            raise ValueError(f"{value} is too large for a rate.")
        if len(digits) > cls.SIGNIFICANT_DIGITS:
            raise ValueError(f"{value} has more than {cls.SIGNIFICANT_DIGITS} significant digits.")

    def clean(self):
        super().clean()
        errors = {}
        for field in ("base", "quote"):
            if getattr(self, field) and getattr(self, field) not in known_currencies():
                errors[field] = "Not an ISO 4217 currency code (upper case, e.g. USD)."
        if self.base and self.base == self.quote:
            errors["quote"] = "Base and quote must differ."
        if self.rate is not None:
            try:
                self.check_rate(self.rate)
            except ValueError as exc:
                errors["rate"] = str(exc)
        if errors:
            raise ValidationError(errors)


class RecordType(models.TextChoices):
    INCOME = "income", "Income"
    EXPENSE = "expense", "Expense"


class Source(models.TextChoices):
    CASH = "cash", "Cash"
    BANK = "bank", "Bank"
    CARD = "card", "Card"
    UPI = "upi", "UPI"
    WALLET = "wallet", "Wallet"
    OTHER = "other", "Other"


class Category(models.Model):
    """A project's category for one record type; names are unique per project
    and type, case-insensitively."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=16, choices=RecordType.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["type", "name", "id"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint("project", "type", Lower("name"), name="records_category_name_unique"),
            models.CheckConstraint(condition=models.Q(type__in=RecordType.values), name="records_category_type"),
        ]

    def __str__(self):
        return f"{self.name} ({self.type})"


class Tag(models.Model):
    """A project's free label; names are unique per project, case-insensitively."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint("project", Lower("name"), name="records_tag_name_unique")]

    def __str__(self):
        return self.name


class Record(models.Model):
    """One income or expense.

    `amount` is in the record's own currency; `base_amount_minor` is the same
    money in the project's base currency as an integer of minor units (cents),
    fixed when written (amount x exchange_rate, half-up) and what analytics sum,
    exactly, on every database.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="records")
    type = models.CharField(max_length=16, choices=RecordType.choices)
    amount = models.DecimalField(max_digits=15, decimal_places=3)
    currency = models.CharField(max_length=3)
    exchange_rate = models.DecimalField(max_digits=20, decimal_places=10, default=Decimal(1))
    base_amount_minor = models.BigIntegerField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="records")
    tags = models.ManyToManyField(Tag, blank=True, related_name="records")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.OTHER)
    description = models.CharField(max_length=1000, blank=True)
    date = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="records_record_amount_positive"),
            models.CheckConstraint(condition=models.Q(base_amount_minor__gte=0), name="records_record_base_amount"),
            models.CheckConstraint(condition=models.Q(exchange_rate__gt=0), name="records_record_rate_positive"),
            models.CheckConstraint(condition=models.Q(type__in=RecordType.values), name="records_record_type"),
            models.CheckConstraint(condition=models.Q(source__in=Source.values), name="records_record_source"),
        ]
        # Keyset pagination walks (ordering field, id) inside one project; the
        # partial indexes skip deleted rows, which lists never show.
        indexes = [
            models.Index(
                fields=["project", "date", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="record_project_date_idx",
            ),
            models.Index(
                fields=["project", "created_at", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="record_project_created_idx",
            ),
            models.Index(
                fields=["project", "amount", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="record_project_amount_idx",
            ),
            models.Index(
                fields=["project", "type", "date", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="record_project_type_date_idx",
            ),
            models.Index(
                fields=["project", "category", "date", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="record_project_cat_date_idx",
            ),
            models.Index(
                fields=["project", "date", "created_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="record_project_recent_idx",
            ),
            models.Index(
                fields=["project", "deleted_at"],
                condition=models.Q(deleted_at__isnull=False),
                name="record_project_deleted_idx",
            ),
        ]

    def __str__(self):
        return f"{self.type} {self.amount} {self.currency} on {self.date}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
