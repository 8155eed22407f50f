import pytest
from django.core.management import CommandError, call_command

from analytics.models import DailyRollup
from tests.records.factories import make_record

pytestmark = pytest.mark.django_db


def test_verify_passes_then_fails_then_rebuild_fixes(tenant, capsys):
    make_record(tenant.project)
    call_command("verify_analytics")
    assert "match" in capsys.readouterr().out

    DailyRollup.objects.update(total_minor=1)
    with pytest.raises(CommandError, match="disagree"):
        call_command("verify_analytics", project=str(tenant.project.pk))

    call_command("rebuild_analytics", project=str(tenant.project.pk))
    call_command("verify_analytics")


@pytest.mark.parametrize("command", ["rebuild_analytics", "verify_analytics"])
def test_bad_project_ids_are_refused(command):
    with pytest.raises(CommandError):
        call_command(command, project="not-a-uuid")


def test_unknown_project_is_refused():
    with pytest.raises(CommandError, match="No project"):
        call_command("rebuild_analytics", project="00000000-0000-0000-0000-000000000000")
