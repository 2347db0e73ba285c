"""One version everywhere: the package metadata, `ironlog --version`, `/ready`, the changelog."""

import re
import tomllib
from pathlib import Path

import httpx
from typer.testing import CliRunner

from ironlog import __version__
from ironlog.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]


def test_version_is_the_same_everywhere() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert __version__ == project

    result = CliRunner().invoke(cli, ["--version"])
    assert result.output == f"ironlog {project}\n"

    changelog = (ROOT / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert released[0] == project


async def test_ready_reports_the_version_and_health_says_only_ok(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/ready")).json() == {"status": "ready", "version": __version__}
    assert (await client.get("/health")).json() == {"status": "ok"}
