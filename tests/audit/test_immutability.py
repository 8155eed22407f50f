"""Audit events are append-only: the database refuses to change them, and the
admin offers no way to try."""

import pytest
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from audit.services import audit_log
from tests.accounts.factories import UserFactory
from tests.tenancy.factories import OrganizationFactory, ProjectFactory, build_tenant

pytestmark = pytest.mark.django_db

# Django empties SQLite between transactional tests with DELETE, so SQLite has
# no DELETE trigger (see audit/migrations/0002); PostgreSQL truncates instead.
sqlite_has_no_delete_trigger = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite refuses only UPDATE: a DELETE trigger would break Django's test flush",
)


@pytest.fixture
def logged():
    project = ProjectFactory()
    actor = UserFactory()
    return audit_log(
        action="project.updated",
        actor=actor,
        target=project,
        project=project,
        changes={"description": ["", "New"]},
    )


def refused(change) -> bool:
    """True when the database refuses `change`: both triggers raise an
    integrity error (restrict_violation on PostgreSQL, RAISE(ABORT) on SQLite)."""
    try:
        with transaction.atomic():
            change()
    except IntegrityError:
        return True
    return False


def test_saving_a_changed_event_is_refused(logged):
    logged.action = "project.deleted"
    assert refused(logged.save)
    assert AuditEvent.objects.get(pk=logged.pk).action == "project.updated"


def test_queryset_update_is_refused(logged):
    assert refused(lambda: AuditEvent.objects.filter(pk=logged.pk).update(changes={}))
    assert AuditEvent.objects.get(pk=logged.pk).changes == {"description": ["", "New"]}


def test_raw_update_is_refused(logged):
    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET actor_email = 'forged@example.com'")

    assert refused(raw_update)
    assert AuditEvent.objects.get(pk=logged.pk).actor_email != "forged@example.com"


@sqlite_has_no_delete_trigger
def test_deleting_an_event_is_refused(logged):
    assert refused(logged.delete)
    assert refused(lambda: AuditEvent.objects.filter(pk=logged.pk).delete())
    assert AuditEvent.objects.filter(pk=logged.pk).exists()


@sqlite_has_no_delete_trigger
def test_raw_delete_is_refused(logged):
    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")

    assert refused(raw_delete)
    assert AuditEvent.objects.filter(pk=logged.pk).exists()


def test_appending_still_works(logged):
    project = ProjectFactory()
    audit_log(action="project.deleted", target=project, project=project)
    assert AuditEvent.objects.count() == 2


def test_deleting_the_actor_leaves_the_event_untouched(logged):
    actor_id, email = logged.actor_id, logged.actor_email
    logged.actor.delete()
    event = AuditEvent.objects.get(pk=logged.pk)
    assert (event.actor_id, event.actor_email) == (actor_id, email)


def test_deleting_the_organization_leaves_its_events_untouched():
    organization = OrganizationFactory()
    project = ProjectFactory(organization=organization)
    logged = audit_log(action="project.updated", target=project, project=project)
    scope = (organization.pk, project.pk)
    organization.delete()  # cascades to the project; must not touch the event
    event = AuditEvent.objects.get(pk=logged.pk)
    assert (event.organization_id, event.project_id) == scope


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_empty_the_table():
    """Writes an event outside a test transaction: the flush after this test
    must empty the table (TRUNCATE on PostgreSQL, DELETE on SQLite) without
    tripping the triggers, or every later transactional test would error."""
    build_tenant()
    project = ProjectFactory()
    audit_log(action="project.updated", target=project, project=project)
    assert AuditEvent.objects.exists()


# --- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_admin_cannot_add_change_or_delete(staff_client, logged):
    change_url = f"/admin/audit/auditevent/{logged.pk}/change/"
    assert staff_client.get("/admin/audit/auditevent/add/").status_code == 403
    assert staff_client.get(f"/admin/audit/auditevent/{logged.pk}/delete/").status_code == 403
    assert staff_client.post(f"/admin/audit/auditevent/{logged.pk}/delete/", {"post": "yes"}).status_code == 403

    # The change page is a read-only view, and posting to it changes nothing.
    page = staff_client.get(change_url)
    assert page.status_code == 200
    assert b'name="action"' not in page.content
    assert staff_client.post(change_url, {"action": "forged"}).status_code == 403

    changelist = staff_client.get("/admin/audit/auditevent/")
    assert changelist.status_code == 200
    assert b"action-checkbox" not in changelist.content  # no bulk actions, so no bulk delete
    assert b"/admin/audit/auditevent/add/" not in changelist.content
    assert AuditEvent.objects.get(pk=logged.pk).action == "project.updated"


def test_admin_changelist_does_not_query_per_row(staff_client, django_assert_max_num_queries):
    for _ in range(2):
        tenant = build_tenant()
        for index in range(30):
            audit_log(
                action=f"thing.{index % 3}",
                actor=tenant.users["org_owner"],
                target=tenant.project,
                project=tenant.project,
            )
    staff_client.get("/admin/")  # the session and user are loaded; not what is measured
    with django_assert_max_num_queries(8):
        response = staff_client.get("/admin/audit/auditevent/")
    assert response.status_code == 200
    assert response.content.count(b"thing.") >= 60


@pytest.mark.parametrize(
    "query",
    ["?q=thing", "?action__exact=thing.1", "?target_type__exact=project", "?created_at__year=2026"],
)
def test_admin_search_and_filters_answer(staff_client, logged, query):
    assert staff_client.get(f"/admin/audit/auditevent/{query}").status_code == 200
