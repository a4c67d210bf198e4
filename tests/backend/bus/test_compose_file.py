"""docker-compose.yml is valid for the installed docker-compose and has the scaled shape's services."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
IN_CI = os.environ.get("CI") == "true"


def _compose(*args: str, secret: str | None = "test-secret") -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        if IN_CI:
            pytest.fail("docker-compose is not installed (CI must provide it)")
        pytest.skip("docker-compose not installed (set CI=true to make this a failure)")
    env = {k: v for k, v in os.environ.items() if k not in {"TEZUO_SECRET_KEY", "COMPOSE_PROFILES"}}
    if secret is not None:
        env["TEZUO_SECRET_KEY"] = secret
    return subprocess.run(
        [binary, "--project-directory", str(ROOT), "-f", str(ROOT / "docker-compose.yml"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_compose_file_validates():
    result = _compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_has_the_scaled_services():
    result = _compose("--profile", "edge", "config", "--services")
    assert result.returncode == 0, result.stderr
    services = set(result.stdout.split())
    assert {"postgres", "redis", "migrate", "proxy", "scheduler", "edge-sim"} <= services
    assert len({s for s in services if s.startswith("api")}) >= 2


def test_secret_key_is_required():
    result = _compose("config", "-q", secret=None)
    assert result.returncode != 0
    assert "TEZUO_SECRET_KEY" in result.stderr


def test_proxy_config_names_every_api_worker():
    services = _compose("config", "--services").stdout.split()
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    for worker in (s for s in services if s.startswith("api")):
        assert f"server {worker}:8000" in nginx
