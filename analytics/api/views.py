"""Dashboard answers of a project, in its base currency, from the rollups."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from analytics import selectors
from analytics.api import serializers
from finance_dashboard.exports import CSVExportMixin, stream_csv
from records.api.serializers import RECORD_CSV_HEADER, RecordSerializer, record_csv_row
from records.currency import format_amount
from records.models import Record
from tenancy.api.base import ProjectScopedViewSet
from tenancy.permissions import ANALYTICS_MANAGE, ANALYTICS_READ

CSV_NOTE = "Analytics `manage` may ask for CSV with `Accept: text/csv` or `?format=csv`."
REPEATABLE_UUIDS = {"type": "array", "items": {"type": "string", "format": "uuid"}}
FILTER_PARAMETERS = [
    OpenApiParameter("category", REPEATABLE_UUIDS, explode=True, description="Category ids (any of); repeatable."),
    OpenApiParameter(
        "tag",
        REPEATABLE_UUIDS,
        explode=True,
        description="Tag ids (any of); repeatable. Answered from the records table.",
    ),
]


def _csv_response(description: str, serializer) -> dict:
    return {
        200: OpenApiResponse(response=serializer, description=description),
        (200, "text/csv"): OpenApiResponse(response=str, description=f"The same answer as CSV. {CSV_NOTE}"),
    }


class AnalyticsViewSet(CSVExportMixin, ProjectScopedViewSet):
    """Totals, breakdowns, trends and recent activity of one project."""

    export_requirement = ANALYTICS_MANAGE
    schema_model = Record
    filter_backends = ()
    permission_map = {
        "summary": ANALYTICS_READ,
        "categories": ANALYTICS_READ,
        "trends": ANALYTICS_READ,
        "recent": ANALYTICS_READ,
    }

    def scope_queryset(self):
        return Record.objects.none()

    # -- shared plumbing -----------------------------------------------------

    def _query(self, serializer_class) -> dict:
        params = serializer_class(data=self.request.query_params, context=self.get_serializer_context())
        params.is_valid(raise_exception=True)
        return params.validated_data

    @staticmethod
    def _filters(query: dict) -> selectors.Filters:
        return selectors.Filters(
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
            type=query.get("type"),
            categories=tuple(category.pk for category in query.get("category", ())),
            tags=tuple(tag.pk for tag in query.get("tag", ())),
            source=query.get("source"),
            currency=query.get("currency"),
        )

    @property
    def currency(self) -> str:
        return self.project.base_currency

    def money(self, minor: int) -> str:
        return format_amount(minor, self.currency)

    def _filename(self, name: str) -> str:
        return f"{self.project.pk}-{name}.csv"

    # -- endpoints ------------------------------------------------------------------

    @extend_schema(
        tags=["analytics"],
        summary="Income, expense, net balance and record count",
        parameters=[serializers.AnalyticsQuerySerializer, *FILTER_PARAMETERS],
        responses=_csv_response("Totals in the base currency.", serializers.SummarySerializer),
    )
    @action(detail=False, methods=["get"])
    def summary(self, request, *args, **kwargs):
        totals = selectors.summary(
            project=self.project, filters=self._filters(self._query(serializers.AnalyticsQuerySerializer))
        )
        body = {
            "currency": self.currency,
            **{key: self.money(totals[key]) for key in ("total_income", "total_expense", "net_balance")},
            "record_count": totals["record_count"],
        }
        if self.wants_csv():
            return stream_csv(filename=self._filename("summary"), header=list(body), rows=[list(body.values())])
        return Response(body)

    @extend_schema(
        tags=["analytics"],
        summary="Totals per category, largest first",
        parameters=[serializers.CategoryQuerySerializer, *FILTER_PARAMETERS],
        responses=_csv_response("Per-category totals.", serializers.CategoryBreakdownSerializer),
    )
    @action(detail=False, methods=["get"])
    def categories(self, request, *args, **kwargs):
        rows = selectors.category_breakdown(
            project=self.project, filters=self._filters(self._query(serializers.CategoryQuerySerializer))
        )
        results = [
            {
                "category": {"id": str(row["category"]["id"]), "name": row["category"]["name"]},
                "type": row["type"],
                "total": self.money(row["total"]),
                "count": row["count"],
                "share": f"{row['share']:f}",
            }
            for row in rows
        ]
        if self.wants_csv():
            return stream_csv(
                filename=self._filename("categories"),
                header=["category_id", "category", "type", "total", "count", "share", "currency"],
                rows=(
                    [
                        r["category"]["id"],
                        r["category"]["name"],
                        r["type"],
                        r["total"],
                        r["count"],
                        r["share"],
                        self.currency,
                    ]
                    for r in results
                ),
            )
        return Response({"currency": self.currency, "results": results})

    @extend_schema(
        tags=["analytics"],
        summary="Income, expense and net per day, ISO week or month, zero-filled",
        parameters=[serializers.TrendsQuerySerializer, *FILTER_PARAMETERS],
        responses=_csv_response("One row per period between the bounds.", serializers.TrendsSerializer),
    )
    @action(detail=False, methods=["get"])
    def trends(self, request, *args, **kwargs):
        query = self._query(serializers.TrendsQuerySerializer)
        filters = self._filters(query)
        interval = query["interval"]
        start, end = selectors.trend_bounds(project=self.project, filters=filters)
        if start is not None:
            self._check_range(interval, start, end)
        points = selectors.trends(project=self.project, filters=filters, interval=interval, start=start, end=end)
        results = [
            {
                "period_start": point["period_start"].isoformat(),
                **{key: self.money(point[key]) for key in ("income", "expense", "net")},
            }
            for point in points
        ]
        if self.wants_csv():
            return stream_csv(
                filename=self._filename(f"trends-{interval}"),
                header=["period_start", "income", "expense", "net", "currency"],
                rows=([r["period_start"], r["income"], r["expense"], r["net"], self.currency] for r in results),
            )
        return Response({"currency": self.currency, "interval": interval, "results": results})

    @staticmethod
    def _check_range(interval: str, start, end) -> None:
        days = (end - start).days + 1
        periods = {"day": days, "week": days // 7 + 1, "month": (end.year - start.year) * 12 + end.month - start.month}
        limit = serializers.MAX_DAY_RANGE if interval == "day" else serializers.MAX_PERIODS
        if periods[interval] > limit:
            raise ValidationError(
                {
                    "interval": [
                        f"At most {limit} {interval} periods; narrow date_from/date_to or use a coarser interval."
                    ]
                },
                code="range_too_long",
            )

    @extend_schema(
        tags=["analytics"],
        summary="The latest records, by date then creation time",
        parameters=[serializers.RecentQuerySerializer, *FILTER_PARAMETERS],
        responses=_csv_response("Up to `limit` (at most 50) records.", serializers.RecentSerializer),
    )
    @action(detail=False, methods=["get"])
    def recent(self, request, *args, **kwargs):
        query = self._query(serializers.RecentQuerySerializer)
        records = selectors.recent_records(project=self.project, filters=self._filters(query), limit=query["limit"])
        data = RecordSerializer(records, many=True, context=self.get_serializer_context()).data
        if self.wants_csv():
            return stream_csv(
                filename=self._filename("recent"), header=RECORD_CSV_HEADER, rows=(record_csv_row(row) for row in data)
            )
        return Response({"currency": self.currency, "results": data})
