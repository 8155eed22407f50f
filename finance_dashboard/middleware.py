"""Request plumbing that is not specific to any domain."""

from django.urls import Resolver404, resolve


class SlashTolerantApiMiddleware:
    """Route `/api/...` with or without a trailing slash to the same view.

    The contract spells each path exactly (collections end in `/`, actions do
    not); clients that add or drop the slash reach the same endpoint instead of
    a redirect that would lose a POST body. Only paths that do not resolve are
    retried, so canonical paths cost nothing extra.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/api/") and not self._resolves(path):
            alternative = path[:-1] if path.endswith("/") else f"{path}/"
            if self._resolves(alternative):
                request.path_info = alternative
        return self.get_response(request)

    @staticmethod
    def _resolves(path: str) -> bool:
        try:
            resolve(path)
        except Resolver404:
            return False
        return True
