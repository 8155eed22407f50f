"""Demo data: `manage.py seed_demo [--records N] [--seed S] [--today YYYY-MM-DD]`.

A thin wrapper over `analytics.demo.seed_demo`: arguments, progress, the summary.
"""

import argparse
import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from analytics import demo


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        f"Replace the demo organization ({demo.DEMO_ORGANIZATION_NAME!r}, owned by {demo.OWNER_EMAIL} / "
        f"{demo.DEMO_PASSWORD}) with a fresh one: a member in every role, two projects in two currencies, "
        "categories, tags and N records over the three years up to today. Deterministic: the same seed on the "
        "same day gives the same data (on another day the same data, shifted). Other organizations are never "
        "touched; existing users are reused as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=2000, help="How many records in all (default 2000).")
        parser.add_argument(
            "--seed", type=int, default=42, help="Random seed; the same seed gives the same data (default 42)."
        )
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="The last day of the three years (default: today, UTC); pins the dates for a reproducible set.",
        )

    def handle(self, *args, **options):
        records = options["records"]
        if records < 0:
            raise CommandError("--records cannot be negative.")
        started = time.perf_counter()
        summary = demo.seed_demo(
            records=records, seed=options["seed"], today=options["today"], progress=self._progress_printer()
        )
        elapsed = time.perf_counter() - started

        out = self.stdout
        if summary.replaced_organizations:
            out.write(f"Replaced the previous demo organization ({summary.replaced_organizations}).")
        out.write(
            self.style.SUCCESS(
                f"{summary.organization.name}: {summary.records:,} records in "
                f"{', '.join(project.name for project in summary.projects)} ({elapsed:.1f} s; "
                + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in summary.timings.items())
                + "). Rollups verified."
            )
        )
        out.write(f"Sign in with any of these (password {demo.DEMO_PASSWORD!r} for the accounts created here):")
        width = max(len(account.user.email) for account in summary.accounts)
        for account in summary.accounts:
            note = "" if account.created else "  [existing account, left as it was]"
            out.write(f"  {account.user.email:<{width}}  {account.role}{note}")

    def _progress_printer(self):
        """Print a line at every 5% of the records (and at 0 and 100%)."""
        state = {"step": -1, "started": None}

        def report(done: int, total: int) -> None:
            if state["started"] is None:
                state["started"] = time.perf_counter()
            percent = 100 if total == 0 else done * 100 // total
            step = percent // 5
            if step == state["step"]:
                return
            state["step"] = step
            elapsed = time.perf_counter() - state["started"]
            rate = f", {done / elapsed:,.0f}/s" if done and elapsed > 0 else ""
            self.stdout.write(f"records: {done:>{len(f'{total:,}')},} / {total:,} ({percent:3d}%{rate})")
            self.stdout.flush()

        return report
