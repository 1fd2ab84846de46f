"""The deployment files: a systemd unit that systemd accepts, sandboxed, with the token
never in it; a Dockerfile that runs as a non-root user with the data folder as a volume."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "sanad.service"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def directives(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_unit_is_sandboxed_restarts_and_takes_the_token_as_a_credential() -> None:
    unit = directives(UNIT.read_text(encoding="utf-8"))
    for key, value in {
        "DynamicUser": "yes",
        "StateDirectory": "sanad",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "NoNewPrivileges": "yes",
        "Restart": "on-failure",
    }.items():
        assert unit.get(key) == [value], key
    assert unit["LoadCredential"] == ["telegram-token:/etc/sanad/telegram-token"]
    assert not any("TOKEN" in v for v in unit.get("Environment", []))  # never in the unit
    # every path the service writes is in its state folder
    for value in unit["Environment"]:
        if value.startswith(("SANAD_INDEX", "CAMELTOOLS", "HOME")):
            assert "/var/lib/sanad" in value, value


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    sanad = shutil.which("sanad")
    assert sanad is not None
    # the unit as installed in this checkout instead of /opt/sanad
    text = UNIT.read_text(encoding="utf-8").replace("/opt/sanad/.venv/bin/sanad", sanad)
    text = text.replace("WorkingDirectory=/opt/sanad", f"WorkingDirectory={ROOT}")
    unit = tmp_path / "sanad.service"
    unit.write_text(text, encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_image_runs_as_a_user_with_its_data_in_a_volume_and_a_health_check() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^USER sanad$", text, re.M)
    assert "VOLUME /data" in text and "SANAD_INDEX_PATH=/data/sanad.sqlite3" in text
    assert re.search(r'^HEALTHCHECK .*CMD \["sanad", "status"\]$', text, re.M)
    assert "uv sync --frozen --no-dev" in text
    # the packages the wheel ships are copied in (one added to pyproject would be missed)
    copied = set(re.findall(r"^COPY (\w+) \./\1$", text, re.M))
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = set(shipped["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    assert packages <= copied, packages - copied


def test_commands_as_the_service_run_as_its_user_with_its_environment() -> None:
    """deploy/sanad-as-service (sanad add, backup... against the deployed data) is the
    service's user in the unit's environment: nothing it writes is left owned by root."""
    unit = directives(UNIT.read_text(encoding="utf-8"))
    helper = (ROOT / "deploy" / "sanad-as-service").read_text(encoding="utf-8")
    assert set(re.findall(r"--setenv=(\S+)", helper)) == set(unit["Environment"])
    properties = dict(p.split("=", 1) for p in re.findall(r"--property=(\S+)", helper))
    for key in ("DynamicUser", "User", "StateDirectory", "WorkingDirectory"):
        assert properties[key] == unit[key][0], key
    assert unit["ExecStart"][0].split()[0] in helper  # the same interpreter and program
