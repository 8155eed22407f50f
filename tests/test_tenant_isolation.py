"""Tenant isolation, swept over the whole URLconf.

Every API route whose path names an organization or a project is called, with
every method it offers, by a signed-in user who owns another organization,
using the ids of a tenant that user does not belong to: each answer must be a
404 indistinguishable from a missing object. A route the sweep cannot
classify (neither tenant-scoped nor in the short list of routes that are
not) fails the test, so a new endpoint is swept the day it is added.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from analytics.api.views import AnalyticsViewSet
from records.models import Category, Record, Tag
from tenancy import services
from tenancy.models import Invitation, Organization, OrganizationMember, Project, ProjectMember
from tests.records.factories import CategoryFactory, TagFactory, make_record

# Routes outside any tenant, and why they are safe to leave out.
NOT_TENANT_SCOPED = {
    r"^api/v1/auth/": "sign-in and the caller's own sessions",
    r"^api/v1/me$": "the caller",
    r"^api/v1/organizations/$": "the caller's organizations, or create one",
    r"^api/v1/invitations/": "invitations addressed to the caller's verified email (tested in test_api_invitations)",
}
TENANT_KWARGS = {"organization_pk", "project_pk"}


def api_routes():
    """(regex, view callback) for every route under /api/v1/."""

    def walk(patterns, prefix):
        for pattern in patterns:
            regex = prefix + _regex(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, regex)
            elif isinstance(pattern, URLPattern):
                yield regex, pattern.callback

    for regex, callback in walk(get_resolver().url_patterns, ""):
        if regex.startswith("api/v1/"):
            yield regex, callback


def _regex(pattern) -> str:
    text = pattern.regex.pattern  # path() patterns compile to a regex too
    return text.removeprefix("^").removesuffix("\\Z").removesuffix("$")


def classify(regex: str, callback) -> str:
    kwargs = set(re.findall(r"\(\?P<(\w+)>", regex))
    if kwargs & TENANT_KWARGS or re.match(r"api/v1/(organizations|projects)/\(\?P<pk>", regex):
        return "tenant"
    for allowed in NOT_TENANT_SCOPED:
        if re.match(allowed, regex):
            return "outside"
    return "unknown"


def model_of(callback):
    view = callback.cls
    if getattr(view, "schema_model", None) and view is not AnalyticsViewSet:
        return view.schema_model
    serializer = getattr(view, "serializer_class", None)
    return getattr(getattr(serializer, "Meta", None), "model", None)


def object_ids(tenant) -> dict:
    """An object of each kind inside `tenant`."""
    invitation = services.invitation_create(
        organization=tenant.organization,
        actor=tenant.users["org_owner"],
        email="swept@example.com",
        org_role="member",
        projects=[],
        accept_url="http://testserver/",
    )
    record = make_record(tenant.project, actor=tenant.users["project_owner"])
    deleted = make_record(tenant.project, actor=tenant.users["project_owner"])
    deleted.deleted_at = deleted.created_at
    deleted.save(update_fields=["deleted_at"])
    return {
        Organization: tenant.organization.pk,
        Project: tenant.project.pk,
        OrganizationMember: tenant.member("org_member").pk,
        ProjectMember: tenant.project_memberships["viewer"].pk,
        Invitation: invitation.pk,
        Record: record.pk,
        Category: CategoryFactory(project=tenant.project).pk,
        Tag: TagFactory(project=tenant.project).pk,
        "deleted_record": deleted.pk,
    }


def fill(regex: str, callback, tenant, ids) -> str:
    values = {"organization_pk": tenant.organization.pk, "project_pk": tenant.project.pk}
    if "(?P<pk>" in regex:
        model = model_of(callback)
        if regex.startswith("api/v1/organizations/(?P<pk>"):
            model = Organization
        elif regex.startswith("api/v1/projects/(?P<pk>"):
            model = Project
        values["pk"] = ids["deleted_record"] if regex.endswith("/restore") else ids[model]

    def substitute(match):
        return str(values[match.group(1)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", substitute, regex)
    return "/" + path.replace("\\", "")


@pytest.mark.django_db
def test_every_api_route_is_classified():
    unknown = [regex for regex, callback in api_routes() if classify(regex, callback) == "unknown"]
    assert unknown == [], "classify these routes (tenant-scoped or listed in NOT_TENANT_SCOPED)"


@pytest.mark.django_db
def test_another_tenants_ids_are_404_on_every_scoped_route(tenant, other_tenant, client_for):
    ids = object_ids(other_tenant)
    outsider = client_for(tenant.users["org_owner"])
    User.objects.filter(pk=tenant.users["org_owner"].pk).update(is_staff=True)  # even staff see nothing via the API
    checked = 0
    for regex, callback in api_routes():
        if classify(regex, callback) != "tenant":
            continue
        path = fill(regex, callback, other_tenant, ids)
        methods = [m for m in callback.actions if m in callback.cls.http_method_names and m != "head"]
        for method in methods:
            response = getattr(outsider, method)(path, {}, format="json")
            assert response.status_code == 404, (method.upper(), path, response.status_code, response.content[:200])
            assert response.json() == {
                "type": "client_error",
                "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
            }
            checked += 1
    assert checked > 40
