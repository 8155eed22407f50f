"""Pre-aggregated totals that analytics read instead of the records table.

Each row sums the base-currency amounts (integer minor units) and counts the
live records of one project, category and period. The record services keep
them current in the same transaction as every create, update, delete and
restore, with upserts that add deltas (never read-modify-write), so concurrent
writers cannot lose an update. `manage.py verify_analytics` proves they match
the records; `manage.py rebuild_analytics` recomputes them.

Two granularities keep the rows read per request independent of the number of
records: whole months come from MonthlyRollup, the partial months at the edges
of a range from DailyRollup.
"""

from django.db import models


class Rollup(models.Model):
    id = models.BigAutoField(primary_key=True)
    project = models.ForeignKey("tenancy.Project", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("records.Category", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=16)
    total_minor = models.BigIntegerField(default=0)
    record_count = models.IntegerField(default=0)

    class Meta:
        abstract = True


class DailyRollup(Rollup):
    """Totals of one project, category and day."""

    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "date", "category"], name="analytics_daily_one_per_key")
        ]
        indexes = [models.Index(fields=["project", "date", "type"], name="daily_project_date_idx")]

    def __str__(self):
        return f"{self.project_id} {self.date} {self.category_id}: {self.total_minor} ({self.record_count})"


class MonthlyRollup(Rollup):
    """Totals of one project, category and calendar month (`month` is its first day)."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "month", "category"], name="analytics_monthly_one_per_key")
        ]
        indexes = [models.Index(fields=["project", "month", "type"], name="monthly_project_month_idx")]

    def __str__(self):
        return f"{self.project_id} {self.month:%Y-%m} {self.category_id}: {self.total_minor} ({self.record_count})"
