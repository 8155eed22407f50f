from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from finance_dashboard.serializers import ScopedPrimaryKeyRelatedField
from records.api.serializers import RecordSerializer
from records.models import Category, RecordType, Source, Tag
from records.selectors import project_categories, project_tags
from tenancy.api.serializers import CurrencyCodeField

MAX_DAY_RANGE = 3660  # ten years of days
MAX_PERIODS = 1300  # weeks or months: a quarter of a century of weeks, a century of months
MONEY = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "example": "1234.50"}


@extend_schema_field(MONEY)
class MoneyString(serializers.CharField):
    """An amount in the project's base currency, as a decimal string."""


class AnalyticsQuerySerializer(serializers.Serializer):
    """Query parameters every analytics endpoint accepts."""

    date_from = serializers.DateField(required=False, input_formats=["iso-8601"])
    date_to = serializers.DateField(required=False, input_formats=["iso-8601"])
    category = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(
            model=Category, scoped_queryset=lambda view: project_categories(project=view.project)
        ),
        required=False,
        max_length=100,
    )
    tag = serializers.ListField(
        child=ScopedPrimaryKeyRelatedField(model=Tag, scoped_queryset=lambda view: project_tags(project=view.project)),
        required=False,
        max_length=100,
    )
    source = serializers.ChoiceField(choices=Source.choices, required=False)
    currency = CurrencyCodeField(required=False)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError(
                {"date_to": ["date_to must not be before date_from."]}, code="invalid_range"
            )
        return attrs


class CategoryQuerySerializer(AnalyticsQuerySerializer):
    type = serializers.ChoiceField(choices=RecordType.choices, required=False)


class TrendsQuerySerializer(AnalyticsQuerySerializer):
    interval = serializers.ChoiceField(choices=["day", "week", "month"], default="month")


class RecentQuerySerializer(AnalyticsQuerySerializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class SummarySerializer(serializers.Serializer):
    currency = serializers.CharField()
    total_income = MoneyString()
    total_expense = MoneyString()
    net_balance = MoneyString()
    record_count = serializers.IntegerField()


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class CategoryTotalSerializer(serializers.Serializer):
    category = CategoryRefSerializer()
    type = serializers.ChoiceField(choices=RecordType.choices)
    total = MoneyString()
    count = serializers.IntegerField()
    share = serializers.RegexField(r"^[01]\.[0-9]{4}$", help_text="Fraction of the type's total, 4 decimal places.")


class CategoryBreakdownSerializer(serializers.Serializer):
    currency = serializers.CharField()
    results = CategoryTotalSerializer(many=True)


class TrendPointSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    income = MoneyString()
    expense = MoneyString()
    net = MoneyString()


class TrendsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    interval = serializers.ChoiceField(choices=["day", "week", "month"])
    results = TrendPointSerializer(many=True)


class RecentSerializer(serializers.Serializer):
    currency = serializers.CharField()
    results = RecordSerializer(many=True)
