"""CSV exports, streamed row by row so a million-record export never sits in memory.

A view opts in by adding `CSVRenderer` to its renderers: a client asking
`Accept: text/csv` or `?format=csv` is then answered by `stream_csv()`. Errors
stay JSON in the standard envelope whatever was asked for.
"""

import csv
from collections.abc import Iterable, Sequence

from django.http import StreamingHttpResponse
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import BaseRenderer, JSONRenderer


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Views stream CSV themselves; anything rendered here is an error body.
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


class _Echo:
    def write(self, value):
        return value


def stream_csv(*, filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CSVExportMixin:
    """Adds CSV negotiation to a view. Exporting is a permission of its own:
    `export_requirement` (see tenancy.permissions) is checked against the
    view's resolved `access` once the ordinary permissions have passed. Error
    responses are always JSON."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    export_requirement = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.wants_csv() and not self.export_requirement.allows(self.access):
            raise PermissionDenied("Exports need analytics manage.")

    def wants_csv(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return isinstance(renderer, CSVRenderer)

    def handle_exception(self, exc):
        if self.wants_csv():
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)
