"""Financial records and the exchange rates that convert them to a project's base currency."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
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
