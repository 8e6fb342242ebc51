"""The container set-up names what the service needs (no Docker daemon is needed to check that)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_runs_web_worker_and_beat_against_one_database_and_broker():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    assert services["postgres"]["image"] == "postgres:16" and services["redis"]["image"] == "redis:7"
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in (ROOT / "Dockerfile").read_text()
    assert "/healthz" in str(services["web"]["healthcheck"]["test"])
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].endswith("@postgres:5432/efh") and env["REDIS_URL"] == "redis://redis:6379/0"
        assert "SECRET_KEY" in env and "DEBUG" not in env  # production defaults, never debug


def test_panel_packs_have_their_own_worker_with_a_memory_cap_and_share_files_with_web():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    command = services["worker-packs"]["command"]
    assert command[command.index("-Q") + 1] == "packs"
    assert any(part.startswith("--max-memory-per-child=") for part in command)
    for name in ("web", "worker-packs"):
        assert "media:/app/media" in services[name]["volumes"], name
    dockerfile = (ROOT / "Dockerfile").read_text()
    for app in ("safeguarding", "cases", "contexts", "assessments", "panels"):
        assert f"COPY {app} ./{app}" in dockerfile, app
