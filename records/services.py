"""Every write of the records app. Each keeps the analytics rollups and the
audit log in step, in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, localcontext

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import User
from analytics import rollups
from audit.services import audit_log, diff, snapshot
from records import errors
from records.currency import minor_units, round_half_up
from records.exchange_rates import rate_for
from records.models import Category, ExchangeRate, Record, Tag
from tenancy.models import Project

# A base amount beyond this (in minor units) is refused: it keeps every sum
# far inside a 64-bit integer on both databases.
MAX_BASE_AMOUNT_MINOR = 10**15 - 1

_AUDITED_RECORD_FIELDS = (
    "type",
    "amount",
    "currency",
    "exchange_rate",
    "base_amount_minor",
    "category_id",
    "source",
    "description",
    "date",
)


def base_amount_minor(*, amount: Decimal, rate: Decimal, base_currency: str) -> int:
    """`amount x rate` in the base currency's minor units, rounded half-up."""
    with localcontext() as context:
        context.prec = 60  # exact: 15 + 15 significant digits never need more
        product = amount * rate
    minor = round_half_up(product, base_currency)
    if minor > MAX_BASE_AMOUNT_MINOR:
        raise errors.amount_too_large()
    return minor


def resolve_rate(*, project: Project, currency: str, on: datetime.date, explicit: Decimal | None) -> Decimal:
    """The rate for a record: 1 in the base currency, else the request's own
    rate, else the latest stored one on or before the record's date."""
    if currency == project.base_currency:
        if explicit is not None and explicit != 1:
            raise errors.rate_must_be_one()
        return Decimal(1)
    if explicit is not None:
        try:
            ExchangeRate.check_rate(explicit)
        except ValueError as exc:
            raise errors.invalid("exchange_rate", str(exc), "invalid") from None
        return explicit
    stored = rate_for(currency=currency, base=project.base_currency, on=on)
    if stored is None:
        raise errors.exchange_rate_missing(currency=currency, base=project.base_currency, on=on)
    return stored


def _check_category(*, project: Project, category: Category, type: str) -> None:
    if category.project_id != project.pk:
        raise errors.invalid("category", "No such category in this project.", "does_not_exist")
    if category.type != type:
        raise errors.invalid(
            "category", f"This category is for {category.type} records.", errors.CATEGORY_TYPE_MISMATCH
        )


def _check_tags(*, project: Project, tags: Iterable[Tag]) -> list[Tag]:
    tags = list(tags)
    if any(tag.project_id != project.pk for tag in tags):
        raise errors.invalid("tags", "No such tag in this project.", "does_not_exist")
    return tags


def _audit_state(record: Record, tag_ids) -> dict:
    state = snapshot(record, _AUDITED_RECORD_FIELDS)
    # Decimals as the API writes them whatever scale the columns return ("12.50",
    # not "12.500"; "1.1", not "1.1000000000"), so resending a value is no change.
    state["amount"] = f"{record.amount.quantize(Decimal(1).scaleb(-minor_units(record.currency))):f}"
    state["exchange_rate"] = f"{record.exchange_rate.normalize():f}"
    return {**state, "tags": sorted(str(pk) for pk in tag_ids)}


@transaction.atomic
def record_create(
    *,
    project: Project,
    actor: User,
    type: str,
    amount: Decimal,
    date: datetime.date,
    category: Category,
    currency: str | None = None,
    exchange_rate: Decimal | None = None,
    tags: Iterable[Tag] = (),
    source: str = "other",
    description: str = "",
) -> Record:
    currency = currency or project.base_currency
    _check_category(project=project, category=category, type=type)
    tags = _check_tags(project=project, tags=tags)
    rate = resolve_rate(project=project, currency=currency, on=date, explicit=exchange_rate)
    now = timezone.now()
    record = Record.objects.create(
        project=project,
        type=type,
        amount=amount,
        currency=currency,
        exchange_rate=rate,
        base_amount_minor=base_amount_minor(amount=amount, rate=rate, base_currency=project.base_currency),
        category=category,
        source=source,
        description=description,
        date=date,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    if tags:
        record.tags.set(tags)
    rollups.apply_change(project_id=project.pk, before=None, after=rollups.contribution_of(record))
    audit_log(
        action="record.created",
        actor=actor,
        target=record,
        project=project,
        changes=diff({}, _audit_state(record, [tag.pk for tag in tags])),
    )
    return record


@transaction.atomic
def record_update(*, record: Record, actor: User, tags: Iterable[Tag] | None = None, **changes) -> Record:
    """Change a record. The base amount is recomputed only when the amount,
    currency, rate or date change; a new currency or date without an explicit
    rate looks the stored rate up again."""
    project = record.project
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if locked.deleted_at is not None:
        raise errors.not_found()
    old_tag_ids = list(locked.tags.values_list("pk", flat=True))
    before_state = _audit_state(locked, old_tag_ids)
    before_contribution = rollups.contribution_of(locked)

    explicit_rate = changes.pop("exchange_rate", None)
    changed = {field for field, value in changes.items() if getattr(locked, field) != value}
    for field, value in changes.items():
        setattr(locked, field, value)
    _check_category(project=project, category=locked.category, type=locked.type)
    if explicit_rate is not None or changed & {"currency", "date"}:
        locked.exchange_rate = resolve_rate(
            project=project, currency=locked.currency, on=locked.date, explicit=explicit_rate
        )
    if explicit_rate is not None or changed & {"amount", "currency", "date"}:
        locked.base_amount_minor = base_amount_minor(
            amount=locked.amount, rate=locked.exchange_rate, base_currency=project.base_currency
        )
    locked.updated_at = timezone.now()
    locked.save()
    tag_ids = old_tag_ids
    if tags is not None:
        tags = _check_tags(project=project, tags=tags)
        locked.tags.set(tags)
        tag_ids = [tag.pk for tag in tags]
    rollups.apply_change(project_id=project.pk, before=before_contribution, after=rollups.contribution_of(locked))
    changed = diff(before_state, _audit_state(locked, tag_ids))
    if changed:
        audit_log(action="record.updated", actor=actor, target=locked, project=project, changes=changed)
    return locked


@transaction.atomic
def record_delete(*, record: Record, actor: User) -> None:
    """Soft delete: the record leaves lists, detail and analytics."""
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if locked.deleted_at is not None:
        return
    before = rollups.contribution_of(locked)
    locked.deleted_at = timezone.now()
    locked.deleted_by = actor
    locked.save(update_fields=["deleted_at", "deleted_by"])
    rollups.apply_change(project_id=locked.project_id, before=before, after=None)
    audit_log(action="record.deleted", actor=actor, target=locked, project=record.project)


@transaction.atomic
def record_restore(*, record: Record, actor: User | None) -> Record:
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if locked.deleted_at is None:
        return locked
    locked.deleted_at = None
    locked.deleted_by = None
    locked.save(update_fields=["deleted_at", "deleted_by"])
    rollups.apply_change(project_id=locked.project_id, before=None, after=rollups.contribution_of(locked))
    audit_log(action="record.restored", actor=actor, target=locked, project=record.project)
    return locked


# --- categories and tags ---------------------------------------------------------------------


def _unique(save, *, field: str, detail: str):
    try:
        with transaction.atomic():
            return save()
    except IntegrityError:
        raise errors.invalid(field, detail, errors.DUPLICATE_NAME) from None


@transaction.atomic
def category_create(*, project: Project, actor: User, name: str, type: str) -> Category:
    category = _unique(
        lambda: Category.objects.create(project=project, name=name, type=type),
        field="name",
        detail=f"A {type} category with this name already exists.",
    )
    audit_log(
        action="category.created",
        actor=actor,
        target=category,
        project=project,
        changes={"name": [None, name], "type": [None, type]},
    )
    return category


@transaction.atomic
def category_update(*, category: Category, actor: User, **fields) -> Category:
    locked = Category.objects.select_for_update().get(pk=category.pk)
    before = snapshot(locked, ("name", "type"))
    if "type" in fields and fields["type"] != locked.type and Record.objects.filter(category=locked).exists():
        raise errors.conflict("Records use this category; its type cannot change.", errors.CATEGORY_IN_USE)
    for field, value in fields.items():
        setattr(locked, field, value)
    _unique(lambda: locked.save(), field="name", detail="A category of this type with this name already exists.")
    changes = diff(before, snapshot(locked, ("name", "type")))
    if changes:
        audit_log(action="category.updated", actor=actor, target=locked, project=category.project, changes=changes)
    return locked


@transaction.atomic
def category_delete(*, category: Category, actor: User) -> None:
    """Delete an unused category; one that records use (deleted ones too, which
    may be restored) is a 409."""
    if Record.objects.filter(category=category).exists():
        raise errors.conflict("Records use this category.", errors.CATEGORY_IN_USE)
    audit_log(
        action="category.deleted",
        actor=actor,
        target=category,
        project=category.project,
        changes={"name": [category.name, None], "type": [category.type, None]},
    )
    try:
        with transaction.atomic():
            category.delete()
    except ProtectedError:
        raise errors.conflict("Records use this category.", errors.CATEGORY_IN_USE) from None


@transaction.atomic
def tag_create(*, project: Project, actor: User, name: str) -> Tag:
    tag = _unique(
        lambda: Tag.objects.create(project=project, name=name),
        field="name",
        detail="A tag with this name already exists.",
    )
    audit_log(action="tag.created", actor=actor, target=tag, project=project, changes={"name": [None, name]})
    return tag


@transaction.atomic
def tag_update(*, tag: Tag, actor: User, name: str) -> Tag:
    locked = Tag.objects.select_for_update().get(pk=tag.pk)
    old = locked.name
    locked.name = name
    _unique(lambda: locked.save(), field="name", detail="A tag with this name already exists.")
    if old != name:
        audit_log(action="tag.updated", actor=actor, target=locked, project=tag.project, changes={"name": [old, name]})
    return locked


@transaction.atomic
def tag_delete(*, tag: Tag, actor: User) -> None:
    """Delete a tag; records that carried it simply lose it."""
    audit_log(action="tag.deleted", actor=actor, target=tag, project=tag.project, changes={"name": [tag.name, None]})
    tag.delete()
