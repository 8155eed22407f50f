"""List pagination: page numbers for small lists, keyset cursors for large ones.

Both accept `page_size` (default 50); a value above 200 is clamped and one
below 1 means the default, never an error. Something that is not a whole
number at all is a 400, like any other malformed query parameter.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.encoding import force_str
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


PAGE_SIZE_DESCRIPTION = (
    f"Results per page (default {DEFAULT_PAGE_SIZE}; values above {MAX_PAGE_SIZE} are clamped, "
    "values below 1 mean the default)."
)


def clamp_page_size(raw: str | None) -> int:
    """`page_size` from the query string: a positive int, clamped to the cap."""
    if raw is None or raw == "":
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise ValidationError({"page_size": ["A whole number is required."]}, code="invalid") from None
    if size < 1:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return clamp_page_size(request.query_params.get(self.page_size_query_param))

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = PAGE_SIZE_DESCRIPTION
        return parameters


@dataclass(frozen=True)
class _Cursor:
    ordering: str
    value: str
    pk: str
    backwards: bool


class KeysetCursorPagination(pagination.BasePagination):
    """Cursor pagination that is a true keyset on `(ordering field, id)`.

    DRF's CursorPagination keeps an offset for ties, which drifts when rows are
    inserted between pages. Here the cursor carries the last row's ordering
    value and id, and the next page is `WHERE (field, id) < (value, id)`, so
    every row is returned exactly once however many rows arrive meanwhile.
    Cursors are signed; a tampered or foreign cursor is a 400.

    Views declare `ordering_fields` (query value -> model field, both directions
    implied) and `default_ordering` (e.g. "-date").
    """

    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    page_size_query_param = "page_size"
    signing_salt = "finance_dashboard.pagination.cursor"

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = clamp_page_size(request.query_params.get(self.page_size_query_param))
        self.ordering = self.get_ordering(request, view)
        field, descending = self._split(self.ordering, view)
        self.field = field
        cursor = self.decode_cursor(request)
        backwards = bool(cursor and cursor.backwards)
        # Walking backwards is the forward query in the opposite direction.
        scan_descending = descending != backwards
        direction = "-" if scan_descending else ""
        queryset = queryset.order_by(f"{direction}{field}", f"{direction}pk")
        if cursor is not None:
            queryset = queryset.filter(self._after(queryset, field, cursor, scan_descending))
        rows = list(queryset[: self.page_size + 1])
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
            self.has_next = cursor is not None
            self.has_previous = has_more
        else:
            self.has_next = has_more
            self.has_previous = cursor is not None
        self.page = rows
        return rows

    # -- ordering -------------------------------------------------------------

    def get_ordering(self, request, view) -> str:
        raw = request.query_params.get(self.ordering_query_param)
        if raw is None or raw == "":
            return view.default_ordering
        if raw.lstrip("-") not in view.ordering_fields:
            allowed = sorted({*view.ordering_fields, *(f"-{name}" for name in view.ordering_fields)})
            raise ValidationError(
                {self.ordering_query_param: [f"Unknown ordering {raw!r}; use one of {', '.join(allowed)}."]},
                code="invalid_choice",
            )
        return raw

    @staticmethod
    def _split(ordering: str, view) -> tuple[str, bool]:
        return view.ordering_fields[ordering.lstrip("-")], ordering.startswith("-")

    # -- cursor ---------------------------------------------------------------

    def decode_cursor(self, request) -> _Cursor | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            data = signing.loads(raw, salt=self.signing_salt)
            cursor = _Cursor(ordering=data["o"], value=data["v"], pk=data["i"], backwards=bool(data["b"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}, code="invalid_cursor") from None
        if cursor.ordering != self.ordering:
            raise ValidationError(
                {self.cursor_query_param: ["The cursor belongs to a different ordering."]}, code="invalid_cursor"
            )
        return cursor

    def encode_cursor(self, row, *, backwards: bool) -> str:
        value = getattr(row, self.field)
        data = {
            "o": self.ordering,
            "v": force_str(value.isoformat() if hasattr(value, "isoformat") else value),
            "i": str(row.pk),
            "b": backwards,
        }
        token = signing.dumps(data, salt=self.signing_salt, compress=True)
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def _after(self, queryset: QuerySet, field: str, cursor: _Cursor, descending: bool) -> Q:
        model_field = queryset.model._meta.get_field(field)
        pk_field = queryset.model._meta.pk
        try:
            value = model_field.to_python(cursor.value)
            pk = pk_field.to_python(cursor.pk)
        except Exception:  # noqa: BLE001 - any conversion failure means a forged cursor
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}, code="invalid_cursor") from None
        strict, loose = ("lt", "lte") if descending else ("gt", "gte")
        # The non-strict bound on the field alone lets the index range-scan;
        # the OR then only sorts out ties on the field.
        return Q(**{f"{field}__{loose}": value}) & (
            Q(**{f"{field}__{strict}": value}) | Q(**{field: value, f"pk__{strict}": pk})
        )

    # -- response -------------------------------------------------------------

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        return self.encode_cursor(self.page[-1], backwards=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous:
            return None
        if not self.page:
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor(self.page[0], backwards=True)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict([("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)])
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["results", "next", "previous"],
            "properties": {"next": link, "previous": link, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        orderings = sorted({*view.ordering_fields, *(f"-{name}" for name in view.ordering_fields)})
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": PAGE_SIZE_DESCRIPTION,
                "schema": {"type": "integer"},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": f"Sort order (default `{view.default_ordering}`).",
                "schema": {"type": "string", "enum": orderings},
            },
        ]
