import re
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from finance_dashboard.serializers import ScopedPrimaryKeyRelatedField, StrictCharField, StrictModelSerializer
from records import errors
from records.currency import format_amount, minor_units
from records.models import Category, Record, RecordType, Source, Tag
from records.selectors import project_categories, project_tags
from tenancy.api.serializers import CurrencyCodeField, UserSummarySerializer

MONEY_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,10})?$"
RATE_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,10})?$"


class PositiveDecimalStringField(serializers.Field):
    """A positive decimal sent as a JSON string matching `pattern`: a JSON
    number is a 400, so no client loses a cent to binary floating point on the
    way in."""

    pattern: str

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            self.fail("invalid")
        value = Decimal(data)
        if value <= 0:
            self.fail("not_positive")
        return value

    def to_representation(self, value):
        return str(value)


@extend_schema_field({"type": "string", "pattern": MONEY_PATTERN, "example": "1234.50"})
class MoneyField(PositiveDecimalStringField):
    pattern = MONEY_PATTERN
    default_error_messages = {
        "invalid": 'Send money as a decimal string such as "1234.50" (at most 12 digits before the point).',
        "not_positive": "The amount must be greater than zero.",
    }


@extend_schema_field({"type": "string", "pattern": RATE_PATTERN, "example": "1.0834"})
class RateField(PositiveDecimalStringField):
    pattern = RATE_PATTERN
    default_error_messages = {
        "invalid": 'Send the rate as a decimal string such as "1.0834" (base units per one unit of currency).',
        "not_positive": "The rate must be greater than zero.",
    }


def written_decimals(value: Decimal) -> int:
    return max(0, -value.as_tuple().exponent)


def rate_text(rate: Decimal) -> str:
    """A rate without trailing zeros: "1", "1.0834", "148.1447290013"."""
    text = f"{rate:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class RecordSerializer(StrictModelSerializer):
    """A record as clients read it (and write it: see RecordWriteSerializer)."""

    amount = serializers.SerializerMethodField()
    exchange_rate = serializers.SerializerMethodField()
    base_amount = serializers.SerializerMethodField()
    base_currency = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Record
        fields = [
            "id",
            "type",
            "amount",
            "currency",
            "exchange_rate",
            "base_amount",
            "base_currency",
            "category",
            "tags",
            "source",
            "description",
            "date",
            "created_by",
            "created_at",
            "updated_at",
            "deleted_at",
        ]
        read_only_fields = fields

    def _base_currency(self) -> str:
        return self.context["view"].project.base_currency

    @extend_schema_field({"type": "string", "pattern": MONEY_PATTERN, "example": "1234.50"})
    def get_amount(self, record) -> str:
        return f"{record.amount.quantize(Decimal(1).scaleb(-minor_units(record.currency))):f}"

    @extend_schema_field({"type": "string", "pattern": RATE_PATTERN, "example": "1.0834"})
    def get_exchange_rate(self, record) -> str:
        return rate_text(record.exchange_rate)

    @extend_schema_field({"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$", "example": "1173.42"})
    def get_base_amount(self, record) -> str:
        return format_amount(record.base_amount_minor, self._base_currency())

    @extend_schema_field(OpenApiTypes.STR)
    def get_base_currency(self, record) -> str:
        return self._base_currency()

    @extend_schema_field({"type": "array", "items": {"type": "string", "format": "uuid"}})
    def get_tags(self, record) -> list[str]:
        return [str(tag.pk) for tag in record.tags.all()]


class RecordWriteSerializer(serializers.Serializer):
    """Create (POST), replace (PUT) or change (PATCH) a record. The project and
    the creator come from the URL and the session, never from the body."""

    type = serializers.ChoiceField(choices=RecordType.choices)
    amount = MoneyField()
    currency = CurrencyCodeField(required=False, help_text="ISO 4217; default the project's base currency.")
    exchange_rate = RateField(
        required=False,
        help_text="Base-currency units per one unit of `currency`; default the stored rate on or before `date`.",
    )
    category = ScopedPrimaryKeyRelatedField(
        model=Category, scoped_queryset=lambda view: project_categories(project=view.project)
    )
    tags = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(model=Tag, scoped_queryset=lambda view: project_tags(project=view.project)),
        required=False,
        max_length=50,
        help_text="Tag ids of this project.",
    )
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    description = StrictCharField(max_length=1000, allow_blank=True, required=False)
    date = serializers.DateField(input_formats=["iso-8601"])

    def validate(self, attrs):
        record = self.instance
        currency = attrs.get("currency") or (record.currency if record else self.context["view"].project.base_currency)
        amount = attrs.get("amount")
        places = minor_units(currency)
        too_fine = (
            written_decimals(amount) > places
            if amount is not None
            else record is not None and record.amount != record.amount.quantize(Decimal(1).scaleb(-places))
        )
        if too_fine:
            raise errors.invalid(
                "amount", f"{currency} amounts have at most {places} decimals.", errors.TOO_MANY_DECIMALS
            )
        kind = attrs.get("type") or (record.type if record else None)
        category = attrs.get("category") or (record.category if record else None)
        if category is not None and kind is not None and category.type != kind:
            raise errors.invalid(
                "category", f"This category is for {category.type} records.", errors.CATEGORY_TYPE_MISMATCH
            )
        return attrs


class CategorySerializer(StrictModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "type", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"name": {"allow_blank": False, "max_length": 100}}
        # Uniqueness is the service's (and the database's) to report, case-insensitively.
        validators = []


class TagSerializer(StrictModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name"]
        read_only_fields = ["id"]
        extra_kwargs = {"name": {"allow_blank": False, "max_length": 50}}
        validators = []


RECORD_CSV_HEADER = [
    "id",
    "date",
    "type",
    "amount",
    "currency",
    "exchange_rate",
    "base_amount",
    "base_currency",
    "category",
    "tags",
    "source",
    "description",
    "created_by",
    "created_at",
]


def record_csv_row(row: dict) -> list:
    """One serialized record as a CSV row (tags space-separated, creator by email)."""
    return [
        row["id"],
        row["date"],
        row["type"],
        row["amount"],
        row["currency"],
        row["exchange_rate"],
        row["base_amount"],
        row["base_currency"],
        row["category"],
        " ".join(row["tags"]),
        row["source"],
        row["description"],
        (row["created_by"] or {}).get("email", ""),
        row["created_at"],
    ]
