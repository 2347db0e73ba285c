"""Settings, read from `IRONLOG_*` environment variables and an optional `.env` file."""

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ironlog"


class Settings(BaseSettings):
    """Every setting IronLog reads. `ironlog config` prints them as a Markdown table."""

    model_config = SettingsConfigDict(
        env_prefix="IRONLOG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production", "test"] = Field(
        "development",
        description="`production` refuses to start without a secret key.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the SQLite database and the generated development secret key.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL. `postgresql://user:pass@host/db` or `sqlite:///path.db`; "
        "unset means SQLite at `<data_dir>/ironlog.db`.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs access tokens. Required in production; generated and kept in "
        "`<data_dir>/secret_key` otherwise.",
    )
    access_token_ttl_seconds: int = Field(900, ge=60, le=86_400)
    refresh_token_ttl_seconds: int = Field(30 * 86_400, ge=3600, le=365 * 86_400)
    jwt_issuer: str = "ironlog"
    jwt_audience: str = "ironlog-api"

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins allowed by CORS; empty allows none.",
    )

    login_max_failures: int = Field(5, ge=1, description="Failed logins per email before 429.")
    login_ip_max_failures: int = Field(
        50, ge=1, description="Failed logins per client address before 429."
    )
    login_window_seconds: int = Field(900, ge=1, description="Window of the login limits.")

    argon2_time_cost: int = Field(3, ge=1)
    argon2_memory_cost_kib: int = Field(65_536, ge=8)
    argon2_parallelism: int = Field(4, ge=1)
    password_hash_concurrency: int = Field(
        4, ge=1, description="Password hashes computed at once; bounds memory under a login burst."
    )

    request_timeout_seconds: float = Field(
        30.0,
        ge=0,
        description="A request that has not started its response by then is answered 503 "
        "`database_unavailable`; 0 disables the deadline. The database connect and pool "
        "timeouts never exceed it.",
    )

    db_pool_size: int = Field(10, ge=1)
    db_max_overflow: int = Field(10, ge=0)
    db_connect_timeout_seconds: float = Field(5.0, gt=0)
    db_statement_timeout_ms: int = Field(
        30_000, ge=0, description="PostgreSQL statement timeout; 0 disables it."
    )

    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    google_discovery_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    google_redirect_uri: str | None = Field(
        None, description="Defaults to this server's `/api/v1/auth/google/callback`."
    )
    google_app_client_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated client ids of your own Android/iOS apps: ID tokens whose "
        "`aud` or `azp` is one of them are accepted too.",
    )
    google_http_timeout_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description="Timeout of each call to the identity provider (discovery, keys, token).",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"

    @field_validator("cors_origins", "google_app_client_ids", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def require_secret_in_production(self) -> "Settings":
        if self.env == "production" and self.secret_key is None:
            raise ValueError(
                "IRONLOG_SECRET_KEY is required when IRONLOG_ENV=production "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @cached_property
    def sqlalchemy_url(self) -> str:
        """The database URL with the async driver IronLog uses."""
        url = self.database_url or f"sqlite:///{self.data_dir / 'ironlog.db'}"
        for plain, driver in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    @property
    def db_wait_seconds(self) -> float:
        """The connect and pool-checkout timeout: the setting, within the request deadline."""
        if self.request_timeout_seconds > 0:
            return min(self.db_connect_timeout_seconds, self.request_timeout_seconds)
        return self.db_connect_timeout_seconds

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @cached_property
    def signing_key(self) -> str:
        """The secret key, generated once and kept in the data folder outside production."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.touch(mode=0o600)
        key_file.write_text(key)
        return key

    @property
    def google_enabled(self) -> bool:
        return bool(self.google_client_id)
