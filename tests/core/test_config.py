from pathlib import Path

import pytest
from pydantic import ValidationError

from ironlog.core.config import Settings


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
