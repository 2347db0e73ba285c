"""The README's configuration reference is the output of `ironlog config --markdown`."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ironlog.cli import app as cli
from ironlog.core import config_reference
from ironlog.core.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_configuration_section_is_the_command_output() -> None:
    result = CliRunner().invoke(cli, ["config", "--markdown"])

    assert result.exit_code == 0, result.output
    assert config_reference.readme_section(README.read_text()) == result.output, (
        "README.md's configuration table is stale: paste the output of "
        "`uv run ironlog config --markdown` between its marker comments"
    )


def test_every_setting_is_described_and_listed() -> None:
    table = config_reference.markdown_table()
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} needs a description"
        assert f"| `IRONLOG_{name.upper()}` |" in table


def test_reference_shows_types_defaults_and_bounds() -> None:
    rows = {
        line.split(" | ")[0].strip("| `"): line
        for line in config_reference.markdown_table().splitlines()[2:]
    }
    assert "| integer, >= 60, <= 86400 | `900` |" in rows["IRONLOG_ACCESS_TOKEN_TTL_SECONDS"]
    assert "| one of `development`, `production`, `test` |" in rows["IRONLOG_ENV"]
    assert "| secret string | unset |" in rows["IRONLOG_SECRET_KEY"]
    assert "| comma-separated list | empty |" in rows["IRONLOG_CORS_ORIGINS"]
    assert "| boolean | `true` |" in rows["IRONLOG_METRICS_ENABLED"]


def test_config_prints_current_values_with_secrets_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IRONLOG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("IRONLOG_SECRET_KEY", "do-not-print-this-key")
    monkeypatch.setenv("IRONLOG_METRICS_TOKEN", "nor-this-token")
    monkeypatch.setenv("IRONLOG_CORS_ORIGINS", "https://a.example, https://b.example")

    result = CliRunner().invoke(cli, ["config"])

    assert result.exit_code == 0, result.output
    assert "IRONLOG_SECRET_KEY=**********" in result.output
    assert "IRONLOG_CORS_ORIGINS=https://a.example,https://b.example" in result.output
    assert "do-not-print-this-key" not in result.output
    assert "nor-this-token" not in result.output
