"""`manage.py import_exchange_rates FILE [FILE ...]`: load ECB reference-rate CSV files."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from records.exchange_rates import import_ecb_csv


class Command(BaseCommand):
    help = (
        "Load ECB euro reference rates (the daily eurofxref.csv or the historical eurofxref-hist.csv, unzipped) "
        "as EUR→X exchange rates. Re-importing a file changes nothing; a rate that differs from the stored one is "
        "overwritten. All files are loaded in one transaction: if any is malformed, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="ECB reference-rate CSV file(s).")
        parser.add_argument(
            "--source", default="ecb", help='Recorded as the rates\' source (default "ecb"; at most 16 characters).'
        )

    def handle(self, *args, files, source, **options):
        with transaction.atomic():
            for path in files:
                self.stdout.write(f"Importing {path} …")
                try:
                    result = import_ecb_csv(path_or_file=path, source=source)
                except OSError as exc:
                    raise CommandError(f"{path}: {exc.strerror or exc}") from exc
                except ValueError as exc:
                    raise CommandError(f"{path}: {exc} Nothing was imported.") from exc
                self.stdout.write(
                    f"  {result.dates} day(s): {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged."
                )
        self.stdout.write(self.style.SUCCESS("Done."))
