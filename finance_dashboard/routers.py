"""URL routing for viewsets, spelled the way the contract spells paths:
collections and items end in `/` (`/organizations/`, `/organizations/{id}/`),
actions do not (`/organizations/{id}/transfer-ownership`)."""

from rest_framework.routers import DynamicRoute, SimpleRouter

UUID_PATTERN = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def uuid_kwarg(name: str) -> str:
    """A URL prefix segment capturing a UUID as `name`."""
    return f"(?P<{name}>{UUID_PATTERN})"


class ApiRouter(SimpleRouter):
    routes = [
        route._replace(url=route.url.replace("{trailing_slash}", "")) if isinstance(route, DynamicRoute) else route
        for route in SimpleRouter.routes
    ]

    def __init__(self):
        super().__init__(trailing_slash=True)
