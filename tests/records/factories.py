import datetime
from decimal import Decimal

import factory

from records import services
from records.models import Category, RecordType, Tag


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    type = RecordType.EXPENSE


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")


def make_record(
    project,
    *,
    actor=None,
    category=None,
    type=RecordType.EXPENSE,
    amount="10.00",
    date=datetime.date(2026, 3, 15),
    **extra,
):
    """A record written through the service, so rollups and audit stay right."""
    if category is None:
        category = CategoryFactory(project=project, type=type)
    if actor is None:
        actor = project.memberships.select_related("member__user").first().member.user
    return services.record_create(
        project=project, actor=actor, type=type, amount=Decimal(amount), date=date, category=category, **extra
    )
