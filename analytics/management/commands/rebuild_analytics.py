"""`manage.py rebuild_analytics [--project ID]`: recompute rollups from the records."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from analytics import rollups
from tenancy.models import Project


class Command(BaseCommand):
    help = "Recompute the analytics rollups from the records, for every project or one."

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Only this project (id).")

    def handle(self, *args, project=None, **options):
        if project is not None and not Project.objects.filter(pk=_uuid(project)).exists():
            raise CommandError(f"No project {project}.")
        daily, monthly = rollups.rebuild(project_id=_uuid(project) if project else None)
        scope = f"project {project}" if project else "every project"
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {scope}: {daily} daily and {monthly} monthly rows."))


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise CommandError(f"{value!r} is not a project id.") from None
