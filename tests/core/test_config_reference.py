"""`ironlog config`: the settings in effect, secrets masked, and the README's reference (its
`--markdown` output); a settings error is one line per problem naming the variable."""

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


def _config_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IRONLOG_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 0, result.output
    return result.output


def test_config_masks_passwords_inside_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = _config_output(
        tmp_path,
        monkeypatch,
        IRONLOG_DATABASE_URL="postgresql://lifter:hunter2@db.example:5432/ironlog",
        IRONLOG_GOOGLE_DISCOVERY_URL="https://idp.example/.well-known?token=t0ken&x=1",
        IRONLOG_GOOGLE_CLIENT_SECRET="google-secret",
    )

    assert "IRONLOG_DATABASE_URL=postgresql://lifter:***@db.example:5432/ironlog\n" in output
    assert "IRONLOG_GOOGLE_DISCOVERY_URL=https://idp.example/.well-known?token=***&x=1\n" in output
    assert "IRONLOG_GOOGLE_CLIENT_SECRET=**********\n" in output
    for secret in ("hunter2", "t0ken", "google-secret"):
        assert secret not in output


def test_config_shows_what_computed_defaults_resolve_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IRONLOG_DATABASE_URL", raising=False)
    monkeypatch.delenv("IRONLOG_SECRET_KEY", raising=False)
    before = _config_output(tmp_path, monkeypatch)
    assert f"IRONLOG_DATABASE_URL=sqlite:///{tmp_path / 'ironlog.db'}  # default:" in before
    assert f"generates it into {tmp_path / 'secret_key'}" in before
    assert not (tmp_path / "secret_key").exists(), "showing the settings generates nothing"

    key = Settings(_env_file=None, data_dir=tmp_path).signing_key  # type: ignore[call-arg]
    after = _config_output(tmp_path, monkeypatch)

    assert (
        f"IRONLOG_SECRET_KEY=**********  # generated, stored in {tmp_path / 'secret_key'}\n"
        in after
    )
    assert key not in after


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"IRONLOG_ACCESS_TOKEN_TTL_SECONDS": "abc"},
            ['IRONLOG_ACCESS_TOKEN_TTL_SECONDS: must be an integer >= 60 and <= 86400, got "abc"'],
        ),
        (
            {"IRONLOG_ENV": "prod", "IRONLOG_METRICS_ENABLED": "maybe"},
            [
                'IRONLOG_ENV: must be one of development, production, test, got "prod"',
                'IRONLOG_METRICS_ENABLED: must be true or false, got "maybe"',
            ],
        ),
        (
            {"IRONLOG_ENV": "production", "IRONLOG_SECRET_KEY": "short-secret"},
            ["IRONLOG_SECRET_KEY must be at least 32 bytes in production"],
        ),
    ],
)
@pytest.mark.parametrize("command", [["config"], ["db", "current"], ["serve"]])
def test_settings_errors_are_one_line_per_problem_with_exit_code_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    expected: list[str],
    command: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IRONLOG_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(cli, command)

    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected), result.stderr
    for line, problem in zip(lines, expected, strict=True):
        assert line.startswith("ironlog: "), line
        assert problem in line
    assert "Traceback" not in result.output
    assert "short-secret" not in result.output
    assert result.stdout == ""
    assert not (tmp_path / "ironlog.db").exists()
