"""The audit log API: who sees which log, what an event says, filters,
ordering and pagination, and that nothing but reads is possible."""

import datetime
import uuid

import pytest

from audit.models import AuditEvent
from audit.services import audit_log
from tests.tenancy.factories import ProjectFactory

pytestmark = pytest.mark.django_db

EVENT_FIELDS = {
    "id",
    "organization",
    "project",
    "actor",
    "action",
    "target_type",
    "target_id",
    "changes",
    "ip_address",
    "created_at",
}
NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


def org_log(tenant):
    return f"/api/v1/organizations/{tenant.organization.pk}/audit-log/"


def project_log(tenant):
    return f"/api/v1/projects/{tenant.project.pk}/audit-log/"


def event(*, organization=None, project=None, actor=None, **fields) -> AuditEvent:
    """An event written straight to the table, for tests that need control
    over `created_at` (inserting is the one thing the table allows)."""
    defaults = {"action": "thing.done", "target_type": "thing", "target_id": str(uuid.uuid4())}
    if project is not None and organization is None:
        organization = project.organization
    return AuditEvent.objects.create(
        organization=organization,
        project=project,
        actor=actor,
        actor_email=actor.email if actor else "",
        **{**defaults, **fields},
    )


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [row["id"] for row in response.json()["results"]]


# --- who may read which log (the persona matrix is in tests/test_permission_matrix.py) -----------

ENDPOINTS = {"organization": (org_log,), "project": (project_log,)}


def test_finance_manage_grant_opens_the_project_log_and_a_lower_grant_closes_it(tenant, as_persona):
    from tests.tenancy.factories import grant

    grant(tenant.project_memberships["viewer"], finance="manage")
    grant(tenant.project_memberships["project_admin"], finance="write")
    assert as_persona("viewer").get(project_log(tenant)).status_code == 200
    assert as_persona("project_admin").get(project_log(tenant)).status_code == 403


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_another_tenants_log_is_404(endpoint, tenant, other_tenant, client_for):
    (path,) = ENDPOINTS[endpoint]
    response = client_for(tenant.users["org_owner"]).get(path(other_tenant))
    assert response.status_code == 404
    assert set(response.json()) == {"type", "errors"}


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/organizations/{uuid.uuid4()}/audit-log/",
        f"/api/v1/projects/{uuid.uuid4()}/audit-log/",
        "/api/v1/projects/not-a-uuid/audit-log/",
    ],
)
def test_unknown_scope_is_404(path, as_persona):
    assert as_persona("org_owner").get(path).status_code == 404


def test_deleted_project_log_is_404(tenant, as_persona):
    from tenancy import services

    services.project_delete(project=tenant.project, actor=tenant.users["org_owner"])
    assert as_persona("org_owner").get(project_log(tenant)).status_code == 404
    # The organization's log still tells what happened to it.
    actions = [row["action"] for row in as_persona("org_owner").get(org_log(tenant)).json()["results"]]
    assert "project.deleted" in actions


# --- read-only ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_write_methods_are_not_allowed(endpoint, method, tenant, as_persona):
    (path,) = ENDPOINTS[endpoint]
    event(project=tenant.project)
    response = getattr(as_persona("org_owner"), method)(path(tenant), {"action": "forged"}, format="json")
    assert response.status_code == 405
    assert response.json()["type"] == "client_error"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert not AuditEvent.objects.filter(action="forged").exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_there_is_no_event_detail_route(method, tenant, as_persona):
    row = event(project=tenant.project)
    response = getattr(as_persona("org_owner"), method)(f"{project_log(tenant)}{row.pk}/")
    assert response.status_code in (404, 405)
    assert AuditEvent.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_head_answers_and_options_is_not_offered(endpoint, tenant, as_persona):
    # The OpenAPI schema describes the endpoints; OPTIONS is 405 everywhere.
    (path,) = ENDPOINTS[endpoint]
    client = as_persona("org_admin")
    assert client.head(path(tenant)).status_code == 200
    assert client.options(path(tenant)).status_code == 405


# --- what an event says -----------------------------------------------------------------------


def test_a_project_edit_through_the_api_is_logged_with_its_diff_actor_and_address(tenant, as_persona):
    owner = tenant.users["project_owner"]
    client = as_persona("project_owner")
    old = tenant.project.description
    assert client.patch(f"/api/v1/projects/{tenant.project.pk}/", {"description": "Quarterly books"}).status_code == 200

    response = client.get(project_log(tenant), {"action": "project.updated"})

    [row] = response.json()["results"]
    assert set(row) == EVENT_FIELDS
    assert row["organization"] == str(tenant.organization.pk)
    assert row["project"] == str(tenant.project.pk)
    assert row["actor"] == {"id": str(owner.pk), "email": owner.email}
    assert row["target_type"] == "project"
    assert row["target_id"] == str(tenant.project.pk)
    assert row["changes"] == {"description": [old, "Quarterly books"]}
    assert row["ip_address"] == "127.0.0.1"
    assert row["created_at"].endswith("Z")


def test_organization_log_holds_organization_and_project_events(tenant, as_persona):
    client = as_persona("org_owner")
    client.patch(f"/api/v1/organizations/{tenant.organization.pk}/", {"description": "Org level"})
    client.patch(f"/api/v1/projects/{tenant.project.pk}/", {"description": "Project level"})
    elsewhere = ProjectFactory()
    event(project=elsewhere, action="project.updated")

    org_rows = client.get(org_log(tenant)).json()["results"]
    project_rows = client.get(project_log(tenant)).json()["results"]

    assert {row["action"] for row in org_rows} >= {"organization.updated", "project.updated"}
    assert [row["action"] for row in project_rows] == ["project.updated"]
    assert all(row["organization"] == str(tenant.organization.pk) for row in org_rows)
    org_event = next(row for row in org_rows if row["action"] == "organization.updated")
    assert org_event["project"] is None


def test_an_event_without_actor_has_a_null_actor(tenant, as_persona):
    audit_log(action="project.restored", project=tenant.project, target=tenant.project)
    [row] = as_persona("org_owner").get(project_log(tenant)).json()["results"]
    assert row["actor"] is None
    assert row["ip_address"] is None


def test_the_actor_is_read_from_the_event_even_after_the_user_changed_or_left(tenant, as_persona):
    analyst = tenant.users["analyst"]
    row = event(project=tenant.project, actor=analyst)
    former_email = analyst.email
    type(analyst).objects.filter(pk=analyst.pk).update(email="renamed@example.com")
    [body] = as_persona("org_owner").get(project_log(tenant)).json()["results"]
    assert body["id"] == str(row.pk)
    assert body["actor"] == {"id": str(analyst.pk), "email": former_email}


# --- filters -----------------------------------------------------------------------------------


@pytest.fixture
def mixed_events(tenant):
    owner, analyst = tenant.users["project_owner"], tenant.users["analyst"]
    target = str(uuid.uuid4())
    return {
        "by_owner": event(project=tenant.project, actor=owner, action="record.created", target_type="record"),
        "by_analyst": event(
            project=tenant.project, actor=analyst, action="record.updated", target_type="record", target_id=target
        ),
        "tag": event(project=tenant.project, actor=owner, action="tag.created", target_type="tag", target_id=target),
        "system": event(project=tenant.project, action="record.updated", target_type="record"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "record.updated"}, {"by_analyst", "system"}),
        ({"action": "record.deleted"}, set()),
        ({"target_type": "tag"}, {"tag"}),
        ({"target_type": "record", "action": "record.created"}, {"by_owner"}),
        ({}, {"by_owner", "by_analyst", "tag", "system"}),
    ],
)
def test_column_filters(params, expected, tenant, as_persona, mixed_events):
    response = as_persona("org_owner").get(project_log(tenant), params)
    assert set(ids(response)) == {str(mixed_events[name].pk) for name in expected}


def test_actor_filter(tenant, as_persona, mixed_events):
    client = as_persona("org_owner")
    response = client.get(project_log(tenant), {"actor": str(tenant.users["project_owner"].pk)})
    assert set(ids(response)) == {str(mixed_events["by_owner"].pk), str(mixed_events["tag"].pk)}
    assert ids(client.get(project_log(tenant), {"actor": str(uuid.uuid4())})) == []


def test_target_id_filter(tenant, as_persona, mixed_events):
    target = mixed_events["tag"].target_id
    response = as_persona("org_owner").get(org_log(tenant), {"target_id": target})
    assert set(ids(response)) == {str(mixed_events["by_analyst"].pk), str(mixed_events["tag"].pk)}


def test_date_filters_are_inclusive_utc_days(tenant, as_persona):
    day = NOON.date()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    rows = {
        "day_before_last_instant": event(project=tenant.project, created_at=start - datetime.timedelta(microseconds=1)),
        "first_instant": event(project=tenant.project, created_at=start),
        "noon": event(project=tenant.project, created_at=NOON),
        "last_instant": event(project=tenant.project, created_at=start + datetime.timedelta(days=1, microseconds=-1)),
        "next_day": event(project=tenant.project, created_at=start + datetime.timedelta(days=1)),
    }
    client = as_persona("org_owner")

    def seen(**params):
        return {name for name, row in rows.items() if str(row.pk) in ids(client.get(org_log(tenant), params))}

    same_day = {"first_instant", "noon", "last_instant"}
    assert seen(date_from=day.isoformat(), date_to=day.isoformat()) == same_day
    assert seen(date_from=day.isoformat()) == same_day | {"next_day"}
    assert seen(date_to=day.isoformat()) == same_day | {"day_before_last_instant"}
    assert seen(date_from="0001-01-01", date_to="9999-12-31") == set(rows)


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"date_from": "2026-03-11", "date_to": "2026-03-10"}, "date_to"),
        ({"actor": "not-a-uuid"}, "actor"),
        ({"actor": "1"}, "actor"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2026-02-30"}, "date_to"),
        ({"date_from": "10000-01-01"}, "date_from"),
        ({"action": "x" * 65}, "action"),
        ({"target_id": "a\x00b"}, "target_id"),
        ({"ordering": "action"}, "ordering"),
        ({"cursor": "forged"}, "cursor"),
    ],
)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_bad_query_parameters_are_400_in_the_envelope(endpoint, params, attr, tenant, as_persona):
    (path,) = ENDPOINTS[endpoint]
    event(project=tenant.project)
    response = as_persona("org_owner").get(path(tenant), params)
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["type"] == "validation_error"
    assert [error["attr"] for error in body["errors"]] == [attr]


# --- order and pagination ----------------------------------------------------------------------


def test_newest_first(tenant, as_persona):
    rows = [event(project=tenant.project, created_at=NOON + datetime.timedelta(minutes=offset)) for offset in (5, 1, 9)]
    newest_first = [str(row.pk) for row in sorted(rows, key=lambda row: row.created_at, reverse=True)]
    assert ids(as_persona("org_owner").get(project_log(tenant))) == newest_first
    oldest_first = ids(as_persona("org_owner").get(project_log(tenant), {"ordering": "created_at"}))
    assert oldest_first == newest_first[::-1]


def walk(client, url, params=None) -> list[dict]:
    """Every page from `url`, following `next`."""
    pages = []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content[:300]
        pages.append(response.json())
        if pages[-1]["next"] is None:
            return pages
        response = client.get(pages[-1]["next"])


def test_pages_return_every_event_exactly_once_newest_first(tenant, as_persona):
    # Given 125 events, a third of them sharing one timestamp (ties must be
    # broken by id, not dropped or repeated at page edges)
    created = []
    for index in range(125):
        at = NOON if index % 3 == 0 else NOON + datetime.timedelta(seconds=index)
        created.append(event(project=tenant.project, created_at=at))
    client = as_persona("org_owner")

    pages = walk(client, project_log(tenant), {"page_size": 50})

    assert [len(page["results"]) for page in pages] == [50, 50, 25]
    assert pages[0]["previous"] is None
    rows = [row for page in pages for row in page["results"]]
    assert sorted(row["id"] for row in rows) == sorted(str(row.pk) for row in created)
    stamps = [row["created_at"] for row in rows]
    assert stamps == sorted(stamps, reverse=True)

    # Walking back from the last page retraces the second.
    back = client.get(pages[-1]["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in pages[1]["results"]]


def test_events_written_between_pages_do_not_shift_the_walk(tenant, as_persona):
    created = [event(project=tenant.project, created_at=NOON + datetime.timedelta(seconds=i)) for i in range(6)]
    client = as_persona("org_owner")
    first = client.get(project_log(tenant), {"page_size": 3}).json()
    event(project=tenant.project, created_at=NOON + datetime.timedelta(hours=1))  # newer than everything
    second = client.get(first["next"]).json()
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert seen == [str(row.pk) for row in reversed(created)]


def test_page_size_is_clamped_to_200(tenant, as_persona):
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization=tenant.organization,
            project=tenant.project,
            action="thing.done",
            target_type="thing",
            target_id=str(index),
        )
        for index in range(205)
    )
    client = as_persona("org_owner")
    assert len(ids(client.get(project_log(tenant), {"page_size": 1000}))) == 200
    assert len(ids(client.get(project_log(tenant)))) == 50


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_page_costs_a_constant_number_of_queries(endpoint, tenant, as_persona, django_assert_max_num_queries):
    (path,) = ENDPOINTS[endpoint]
    actors = [tenant.users[persona] for persona in ("org_owner", "project_owner", "analyst", "viewer")]
    for index in range(60):
        event(project=tenant.project, actor=actors[index % len(actors)], changes={"n": [index, index + 1]})
    client = as_persona("org_admin")
    # Session check, the scope with the caller's roles, the page.
    with django_assert_max_num_queries(3):
        response = client.get(path(tenant), {"page_size": 60})
    assert len(ids(response)) == 60
