"""docs/api.md's worked example runs: the script in the page (and in docs/api_example.py, the same) against a live
server, as the police's client, on a case shared with them to contribute and an action they own."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import ChronologyEntry
from panels import services as panel_services
from panels.models import Action, PanelKind

from .conftest import register

pytestmark = pytest.mark.django_db(transaction=True)

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_file_is_the_script_in_the_page():
    page = (DOCS / "api.md").read_text()
    assert re.search(r"```python\n(.*?)```", page, re.S)[1] == (DOCS / "api_example.py").read_text()


def test_the_worked_example_runs_against_a_live_server(live_server, shared_case, colin, pete, agencies):
    panel = panel_services.panel_create(actor=colin, name="Northfield MACE", kind=PanelKind.MACE,
                                        member_agencies=[agencies["la"], agencies["police"]], chairs=[colin])
    meeting = panel_services.meeting_schedule(actor=colin, panel=panel, starts_at=timezone.now() + timedelta(days=3))
    item = panel_services.agenda_item_add(actor=colin, meeting=meeting, subject=shared_case.young_person,
                                          reason="Missing twice")
    action = panel_services.action_add(actor=colin, item=item, description="Return home interview",
                                       owner_agency=agencies["police"], owner=pete,
                                       due_on=timezone.localdate() + timedelta(days=7))
    police = register(agencies["police"])
    done = subprocess.run([sys.executable, str(DOCS / "api_example.py")], capture_output=True, text=True,  # noqa: S603
                          timeout=120, env={**os.environ, "EFH_API_URL": live_server.url,
                                            "EFH_API_CREDENTIAL": police.credential}, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "1 open cases shared with us" in out and shared_case.reference in out
    assert "the retry answered 201 with the same entry: True" in out
    assert "now in_progress" in out and "The same report with the version we first read: 412" in out
    assert ChronologyEntry.objects.filter(case=shared_case, agency=agencies["police"]).count() == 1
    assert Action.objects.get(pk=action.pk).status == "in_progress"
