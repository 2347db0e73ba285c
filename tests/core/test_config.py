import os
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from ironlog.core.config import Settings
from tests.live_server import ironlog_command


def test_production_without_secret_key_is_a_clear_start_up_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="IRONLOG_SECRET_KEY is required"):
        Settings(_env_file=None, env="production", data_dir=tmp_path)  # type: ignore[call-arg]


def test_development_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(_env_file=None, data_dir=tmp_path).signing_key  # type: ignore[call-arg]
    again = Settings(_env_file=None, data_dir=tmp_path).signing_key  # type: ignore[call-arg]
    assert first == again
    assert len(first) >= 48
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == first
    assert key_file.stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.sqlalchemy_url == f"sqlite+aiosqlite:///{tmp_path / 'ironlog.db'}"


def test_settings_come_from_prefixed_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRONLOG_LOGIN_MAX_FAILURES", "7")
    monkeypatch.setenv("IRONLOG_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    assert settings.login_max_failures == 7
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


def test_invalid_settings_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRONLOG_ACCESS_TOKEN_TTL_SECONDS", "5")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]


PRODUCTION = {
    "env": "production",
    "secret_key": "k" * 32,
    "metrics_token": "metrics-token",
}


def _production(tmp_path: Path, **changes: object) -> Settings:
    values = {**PRODUCTION, **changes}
    return Settings(_env_file=None, data_dir=tmp_path, **values)  # type: ignore[arg-type]


def test_production_with_all_it_needs_starts(tmp_path: Path) -> None:
    assert _production(tmp_path).env == "production"
    assert _production(tmp_path, metrics_token=None, metrics_enabled=False).env == "production"
    google = {"google_client_id": "id", "google_redirect_uri": "https://l.example/cb"}
    assert _production(tmp_path, **google).google_enabled


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"secret_key": "k"}, "IRONLOG_SECRET_KEY must be at least 32 bytes"),
        ({"secret_key": "k" * 31}, "IRONLOG_SECRET_KEY must be at least 32 bytes"),
        ({"metrics_token": None}, "IRONLOG_METRICS_TOKEN is required in production"),
        ({"google_client_id": "id"}, "IRONLOG_GOOGLE_REDIRECT_URI is required in production"),
    ],
)
def test_production_refuses_unsafe_settings(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _production(tmp_path, **changes)
    # Outside production the same settings are accepted.
    _production(tmp_path, env="development", **changes)


def test_serve_refuses_to_start_in_one_line_with_exit_code_2(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("IRONLOG_")}
    env.update(
        {
            "IRONLOG_ENV": "production",
            "IRONLOG_SECRET_KEY": "x",
            "IRONLOG_METRICS_TOKEN": "metrics-token",
            "IRONLOG_DATA_DIR": str(tmp_path),
        }
    )
    finished = subprocess.run(  # noqa: S603 - the project's own command
        [*ironlog_command(), "serve", "--port", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert finished.stderr.count("\n") == 1, finished.stderr
    assert finished.stderr.startswith(
        "ironlog: refusing to start: IRONLOG_SECRET_KEY must be at least 32 bytes in production"
    )
    assert not (tmp_path / "ironlog.db").exists()
