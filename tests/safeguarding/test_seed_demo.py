"""seed_demo, the kernel's half: it finds each app's demo module in dependency order, and the modules respect it.

What the demo data are is tested with each app (tests/cases/test_seed_demo.py and the others).
"""

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from safeguarding import demo

APPS = ["safeguarding", "cases", "contexts", "assessments", "panels"]  # each depends only on those before it


def test_it_finds_every_apps_demo_module_in_dependency_order():
    assert list(demo.modules()) == APPS


@pytest.mark.parametrize("app", APPS)
def test_a_demo_module_imports_no_app_above_its_own(app):
    path = Path(settings.BASE_DIR) / app / "demo.py"
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & set(APPS[APPS.index(app) + 1:] + ["reports", "bench"])


def test_no_module_imports_a_management_command():
    commands = ".".join(["management", "commands"])  # spelt so that this file does not match itself
    root = Path(settings.BASE_DIR)
    for package in [*APPS, "bench", "tests"]:
        for path in (root / package).rglob("*.py"):
            assert commands not in path.read_text(), path


def test_only_names_apps_with_demo_data():
    with pytest.raises(CommandError, match="No demo data for reports"):
        call_command("seed_demo", only="cases,reports", force=True, stdout=StringIO())
