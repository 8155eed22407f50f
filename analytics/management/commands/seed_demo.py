"""Demo data: `manage.py seed_demo [--records N] [--seed S]`."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


class Command(BaseCommand):
    help = "Create the demo owner (demo@example.com / demo-password) and demo data. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--records", type=int, default=2000, help="How many financial records to create.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed; the same seed gives the same data.")

    @transaction.atomic
    def handle(self, *args, **options):
        user, created = User.objects.get_or_create(email=DEMO_EMAIL, defaults={"name": "Demo Owner"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True})
        self.stdout.write(self.style.SUCCESS(f"Demo user ready: {DEMO_EMAIL} / {DEMO_PASSWORD}"))
