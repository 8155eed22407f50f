"""Reads of the records app."""

from django.db.models import Prefetch, QuerySet

from records.models import Category, Record, Tag
from tenancy.models import Project


def project_records(*, project: Project, deleted: bool | None = False) -> QuerySet[Record]:
    """A project's records with what a page needs (creator, tag ids) loaded in
    a constant number of queries. `deleted`: False live only, True deleted
    only, None both."""
    records = Record.objects.filter(project=project)
    if deleted is not None:
        records = records.filter(deleted_at__isnull=not deleted)
    return records.select_related("created_by").prefetch_related(tag_ids_prefetch())


def tag_ids_prefetch() -> Prefetch:
    """Records' tags in one query, ids only (a record shows tag ids)."""
    return Prefetch("tags", queryset=Tag.objects.only("id").order_by())


def project_categories(*, project: Project) -> QuerySet[Category]:
    return Category.objects.filter(project=project).order_by("type", "name", "id")


def project_tags(*, project: Project) -> QuerySet[Tag]:
    return Tag.objects.filter(project=project).order_by("name", "id")
