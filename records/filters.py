"""FilterSets for records, categories and tags."""

import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import PermissionDenied

from records.models import Category, Record, RecordType, Source, Tag
from tenancy.models import Domain, Level
from tenancy.permissions import level_at_least


class RecordFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for low, high in (("date_from", "date_to"), ("amount_min", "amount_max")):
            if cleaned.get(low) is not None and cleaned.get(high) is not None and cleaned[low] > cleaned[high]:
                self.add_error(high, forms.ValidationError(f"{high} must not be before {low}.", code="invalid_range"))
        return cleaned


def _view(request):
    return request.parser_context["view"]


# Money in a query string is written the way the API writes it everywhere: a
# plain decimal, no sign, exponent or padding (at most 12 + 3 digits).
AMOUNT_BOUND_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,3})?$"


class AmountBoundField(forms.DecimalField):
    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(AMOUNT_BOUND_PATTERN, str(value)):
            raise forms.ValidationError(
                'Write the amount as a decimal such as "12.50" (at most 3 decimals).', code="invalid"
            )
        return super().to_python(value)


@extend_schema_field(
    {
        "type": "string",
        "pattern": AMOUNT_BOUND_PATTERN,
        "example": "12.50",
        "description": "A bound on `amount` (inclusive), written as a plain decimal: no sign or exponent.",
    }
)
class AmountBoundFilter(django_filters.NumberFilter):
    field_class = AmountBoundField


class RecordFilter(django_filters.FilterSet):
    """Filters of the records list. Category and tag ids must belong to the
    project (another project's id is a 400, not an empty page)."""

    type = django_filters.ChoiceFilter(choices=RecordType.choices)
    category = django_filters.ModelMultipleChoiceFilter(queryset=Category.objects.none(), field_name="category")
    tag = django_filters.ModelMultipleChoiceFilter(queryset=Tag.objects.none(), field_name="tags", method="filter_tags")
    source = django_filters.ChoiceFilter(choices=Source.choices)
    currency = django_filters.CharFilter(max_length=3)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    amount_min = AmountBoundFilter(field_name="amount", lookup_expr="gte")
    amount_max = AmountBoundFilter(field_name="amount", lookup_expr="lte")
    search = django_filters.CharFilter(field_name="description", lookup_expr="icontains", max_length=200)
    created_by = django_filters.UUIDFilter(field_name="created_by_id")
    include_deleted = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_include_deleted"
    )

    class Meta:
        model = Record
        form = RecordFilterForm
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None:
            project = _view(self.request).project
            self.filters["category"].queryset = Category.objects.filter(project=project)
            self.filters["tag"].queryset = Tag.objects.filter(project=project)

    def filter_tags(self, queryset, name, tags):
        if not tags:
            return queryset
        carrying = Record.tags.through.objects.filter(record_id=OuterRef("pk"), tag__in=tags)
        return queryset.filter(Exists(carrying))

    def filter_include_deleted(self, queryset, name, value):
        return queryset  # applied in filter_queryset, which also handles its absence

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("include_deleted") != "true":
            return queryset.filter(deleted_at__isnull=True)
        access = _view(self.request).access
        if not level_at_least(access.level(Domain.FINANCE), Level.MANAGE):
            raise PermissionDenied("Deleted records are visible with finance manage only.")
        return queryset


class CategoryFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=RecordType.choices)
    name = django_filters.CharFilter(lookup_expr="icontains", max_length=100)

    class Meta:
        model = Category
        fields = ["type", "name"]


class TagFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", max_length=50)

    class Meta:
        model = Tag
        fields = ["name"]
