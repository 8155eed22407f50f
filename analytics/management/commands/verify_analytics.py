"""`manage.py verify_analytics [--project ID]`: prove the rollups equal the records."""

from django.core.management.base import BaseCommand, CommandError

from analytics import rollups
from analytics.management.commands.rebuild_analytics import _uuid


class Command(BaseCommand):
    help = "Compare the analytics rollups with a recomputation from the records; exit 1 on any difference."

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Only this project (id).")
        parser.add_argument("--show", type=int, default=20, help="How many differences to print (default 20).")

    def handle(self, *args, project=None, show=20, **options):
        differences = rollups.verify(project_id=_uuid(project) if project else None)
        if not differences:
            self.stdout.write(self.style.SUCCESS("Analytics rollups match the records."))
            return
        for difference in differences[:show]:
            project_id, period, category_id, kind = difference.key
            self.stdout.write(
                f"{difference.granularity} {project_id} {period} {category_id} {kind}: "
                f"stored {difference.stored}, records say {difference.expected}"
            )
        raise CommandError(f"{len(differences)} rollup row(s) disagree with the records; run rebuild_analytics.")
