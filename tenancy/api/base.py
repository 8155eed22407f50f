"""The one mechanism that scopes an API request to a tenant.

A scoped viewset names the URL keyword that carries its organization or
project. The scope is resolved once per request (one query that also yields
the caller's roles and grants), cached on the view, and is the only thing
querysets are built from: views implement `scope_queryset()` and may not
override `get_queryset()`. A tenant the caller does not belong to is a 404,
indistinguishable from one that does not exist.
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated

from finance_dashboard.routers import UUID_PATTERN
from tenancy import selectors
from tenancy.models import Organization, Project
from tenancy.permissions import Access, ActionPermission, Requirement


class ScopedViewSet(viewsets.GenericViewSet):
    #: "organization" or "project"
    scope: ClassVar[str]
    #: the URL keyword holding the scope's id; absent on unscoped actions
    scope_url_kwarg: ClassVar[str]
    #: action -> requirement (see tenancy.permissions)
    permission_map: ClassVar[dict[str, Requirement]]
    #: the model the schema generator should assume when the serializer has none
    schema_model: ClassVar[type | None] = None

    permission_classes = (IsAuthenticated, ActionPermission)
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__}: scoped viewsets implement scope_queryset(), never get_queryset(); "
                "the base builds every queryset from the resolved tenant."
            )

    # -- scope ---------------------------------------------------------------

    @cached_property
    def _scope(self) -> tuple[Organization | Project | None, Access | None]:
        scope_id = self.kwargs.get(self.scope_url_kwarg)
        if scope_id is None:
            return None, None
        if self.scope == "organization":
            found = selectors.organization_with_access(organization_id=scope_id, user=self.request.user)
        else:
            found = selectors.project_with_access(project_id=scope_id, user=self.request.user)
        if found is None:
            raise NotFound()
        return found

    @property
    def access(self) -> Access | None:
        return self._scope[1]

    @property
    def organization(self) -> Organization:
        scoped = self._scope[0]
        return scoped.organization if isinstance(scoped, Project) else scoped

    @property
    def project(self) -> Project:
        scoped = self._scope[0]
        if not isinstance(scoped, Project):
            raise AttributeError("this view is not project-scoped")
        return scoped

    # -- querysets -------------------------------------------------------------

    def scope_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation: no request, no tenant; only the model matters.
            model = self.schema_model or self.get_serializer_class().Meta.model
            return model._default_manager.none()
        return self.scope_queryset()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "access": self.access}


class OrganizationScopedViewSet(ScopedViewSet):
    scope = "organization"
    scope_url_kwarg = "organization_pk"


class ProjectScopedViewSet(ScopedViewSet):
    scope = "project"
    scope_url_kwarg = "project_pk"
