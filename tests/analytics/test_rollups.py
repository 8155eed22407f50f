import datetime
from decimal import Decimal

import pytest

from analytics import rollups
from analytics.models import DailyRollup, MonthlyRollup
from records import services
from tests.records.factories import CategoryFactory, make_record

pytestmark = pytest.mark.django_db


def totals(model, **filters):
    return sorted(model.objects.filter(**filters).exclude(record_count=0).values_list("total_minor", "record_count"))


def test_every_record_change_keeps_the_rollups_exact(tenant):
    owner = tenant.users["project_owner"]
    food = CategoryFactory(project=tenant.project, type="expense")
    rent = CategoryFactory(project=tenant.project, type="expense")
    salary = CategoryFactory(project=tenant.project, type="income")
    first = make_record(tenant.project, actor=owner, category=food, amount="10.05", date=datetime.date(2026, 1, 31))
    second = make_record(tenant.project, actor=owner, category=food, amount="4.95", date=datetime.date(2026, 1, 31))
    assert totals(DailyRollup, date=datetime.date(2026, 1, 31)) == [(1500, 2)]
    assert totals(MonthlyRollup, month=datetime.date(2026, 1, 1)) == [(1500, 2)]

    services.record_update(record=first, actor=owner, date=datetime.date(2026, 2, 1), category=rent)
    assert totals(MonthlyRollup, month=datetime.date(2026, 1, 1)) == [(495, 1)]
    assert totals(MonthlyRollup, month=datetime.date(2026, 2, 1), category=rent) == [(1005, 1)]

    services.record_update(record=second, actor=owner, type="income", category=salary, amount=Decimal("5"))
    services.record_delete(record=first, actor=owner)
    assert totals(MonthlyRollup, month=datetime.date(2026, 2, 1)) == []
    services.record_restore(record=first, actor=owner)
    services.record_delete(record=first, actor=owner)
    services.record_delete(record=first, actor=owner)  # twice: no double subtraction
    assert rollups.verify() == []
    assert totals(DailyRollup) == [(500, 1)]


def test_rebuild_recreates_what_the_services_maintain(tenant):
    for day in range(1, 20):
        make_record(tenant.project, amount=f"{day}.10", date=datetime.date(2026, 1, day))
    before = totals(DailyRollup), totals(MonthlyRollup)
    DailyRollup.objects.update(total_minor=0)
    assert rollups.verify() != []
    rollups.rebuild(project_id=tenant.project.pk)
    assert rollups.verify() == []
    assert (totals(DailyRollup), totals(MonthlyRollup)) == before
