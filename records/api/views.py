"""Records, categories and tags of a project."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from finance_dashboard.exports import CSVExportMixin, stream_csv
from finance_dashboard.pagination import KeysetCursorPagination
from finance_dashboard.schema import error_response
from records import selectors, services
from records.api import serializers
from records.filters import CategoryFilter, RecordFilter, TagFilter
from tenancy.api.base import ProjectScopedViewSet
from tenancy.permissions import (
    ANALYTICS_MANAGE,
    FINANCE_MANAGE,
    FINANCE_READ,
    FINANCE_WRITE,
    FINANCE_WRITE_OWN_MANAGE_ANY,
)

CONFLICT = error_response("Conflicts with the current state (see the error code).")
REPEATABLE = "Repeat the parameter for several values (any of them matches)."


@extend_schema(tags=["records"])
@extend_schema_view(
    list=extend_schema(
        summary="Records of the project, filtered, by cursor",
        parameters=[
            OpenApiParameter(
                "category",
                {"type": "array", "items": {"type": "string", "format": "uuid"}},
                description=REPEATABLE,
                explode=True,
            ),
            OpenApiParameter(
                "tag",
                {"type": "array", "items": {"type": "string", "format": "uuid"}},
                description=REPEATABLE,
                explode=True,
            ),
            OpenApiParameter(
                "include_deleted",
                str,
                enum=["true", "false"],
                description="Also list deleted records (finance manage).",
            ),
        ],
        responses={
            200: serializers.RecordSerializer,
            (200, "text/csv"): OpenApiResponse(
                response=str,
                description=(
                    "Every matching record as CSV, unpaginated. Analytics `manage` may ask for it with "
                    "`Accept: text/csv` or `?format=csv`."
                ),
            ),
        },
    ),
    retrieve=extend_schema(summary="One record"),
    create=extend_schema(
        summary="Create a record (finance write)",
        request=serializers.RecordWriteSerializer,
        responses={201: serializers.RecordSerializer},
    ),
    update=extend_schema(
        summary="Replace a record (write: own records; manage: any)",
        request=serializers.RecordWriteSerializer,
        responses={200: serializers.RecordSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a record (write: own records; manage: any)",
        request=serializers.RecordWriteSerializer,
        responses={200: serializers.RecordSerializer},
    ),
    destroy=extend_schema(summary="Soft-delete a record (write: own records; manage: any)"),
)
class RecordViewSet(
    CSVExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    serializer_class = serializers.RecordSerializer
    filterset_class = RecordFilter
    pagination_class = KeysetCursorPagination
    export_requirement = ANALYTICS_MANAGE
    ordering_fields = {"date": "date", "amount": "amount", "created_at": "created_at"}
    default_ordering = "-date"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    permission_map = {
        "list": FINANCE_READ,
        "retrieve": FINANCE_READ,
        "create": FINANCE_WRITE,
        "update": FINANCE_WRITE_OWN_MANAGE_ANY,
        "partial_update": FINANCE_WRITE_OWN_MANAGE_ANY,
        "destroy": FINANCE_WRITE_OWN_MANAGE_ANY,
        "restore": FINANCE_MANAGE,
    }

    def scope_queryset(self):
        if self.action == "list":
            return selectors.project_records(project=self.project, deleted=None)  # RecordFilter decides
        if self.action == "restore":
            # Restoring a live record is a no-op that answers the record.
            return selectors.project_records(project=self.project, deleted=None)
        return selectors.project_records(project=self.project)

    def get_renderers(self):
        # CSV is an export of the list: one record, a write or a restore answers JSON only.
        if self.action == "list":
            return super().get_renderers()
        return [JSONRenderer()]

    def filter_queryset(self, queryset):
        # Query-string filters shape lists only, never which single record an id names.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request, *args, **kwargs):
        if not self.wants_csv():
            return super().list(request, *args, **kwargs)
        ordering = self.paginator.get_ordering(request, self)
        field = self.ordering_fields[ordering.lstrip("-")]
        direction = "-" if ordering.startswith("-") else ""
        records = self.filter_queryset(self.get_queryset()).order_by(f"{direction}{field}", f"{direction}pk")
        serializer = self.get_serializer()

        def rows():
            for record in records.iterator(chunk_size=2000):
                yield serializers.record_csv_row(serializer.to_representation(record))

        return stream_csv(filename=f"{self.project.pk}-records.csv", header=serializers.RECORD_CSV_HEADER, rows=rows())

    def _respond(self, record, status_code=status.HTTP_200_OK):
        record = selectors.project_records(project=self.project, deleted=None).get(pk=record.pk)
        return Response(self.get_serializer(record).data, status=status_code)

    def _write_input(self, request, instance=None, partial=False) -> dict:
        body = serializers.RecordWriteSerializer(
            instance, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        return body.validated_data

    def create(self, request, *args, **kwargs):
        data = self._write_input(request)
        record = services.record_create(project=self.project, actor=request.user, **data)
        return self._respond(record, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        record = self.get_object()
        data = self._write_input(request, record, partial=kwargs.get("partial", False))
        tags = data.pop("tags", None)
        record = services.record_update(record=record, actor=request.user, tags=tags, **data)
        return self._respond(record)

    def perform_destroy(self, instance):
        services.record_delete(record=instance, actor=self.request.user)

    @extend_schema(
        summary="Restore a deleted record (finance manage); a live one is answered unchanged",
        request=None,
        responses={200: serializers.RecordSerializer},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, *args, **kwargs):
        return self._respond(services.record_restore(record=self.get_object(), actor=request.user))


class _ProjectVocabularyViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ProjectScopedViewSet,
):
    """Categories and tags: finance `read` lists, finance `manage` changes."""

    permission_map = {
        "list": FINANCE_READ,
        "retrieve": FINANCE_READ,
        "create": FINANCE_MANAGE,
        "partial_update": FINANCE_MANAGE,
        "destroy": FINANCE_MANAGE,
    }


@extend_schema(tags=["records"])
@extend_schema_view(
    list=extend_schema(summary="Categories of the project"),
    create=extend_schema(summary="Create a category (finance manage)"),
    partial_update=extend_schema(
        summary="Rename a category (finance manage)", responses={200: serializers.CategorySerializer, 409: CONFLICT}
    ),
    destroy=extend_schema(
        summary="Delete a category no record uses (finance manage)", responses={204: None, 409: CONFLICT}
    ),
)
class CategoryViewSet(_ProjectVocabularyViewSet):
    serializer_class = serializers.CategorySerializer
    filterset_class = CategoryFilter

    def scope_queryset(self):
        return selectors.project_categories(project=self.project)

    def perform_create(self, serializer):
        serializer.instance = services.category_create(
            project=self.project, actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.category_update(
            category=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.category_delete(category=instance, actor=self.request.user)


@extend_schema(tags=["records"])
@extend_schema_view(
    list=extend_schema(summary="Tags of the project"),
    create=extend_schema(summary="Create a tag (finance manage)"),
    partial_update=extend_schema(summary="Rename a tag (finance manage)"),
    destroy=extend_schema(summary="Delete a tag (finance manage); records lose it"),
)
class TagViewSet(_ProjectVocabularyViewSet):
    serializer_class = serializers.TagSerializer
    filterset_class = TagFilter

    def scope_queryset(self):
        return selectors.project_tags(project=self.project)

    def perform_create(self, serializer):
        serializer.instance = services.tag_create(
            project=self.project, actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.tag_update(
            tag=serializer.instance,
            actor=self.request.user,
            name=serializer.validated_data.get("name", serializer.instance.name),
        )

    def perform_destroy(self, instance):
        services.tag_delete(tag=instance, actor=self.request.user)
