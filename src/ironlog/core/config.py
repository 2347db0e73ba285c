"""Settings, read from `IRONLOG_*` environment variables and an optional `.env` file."""

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MIN_SECRET_KEY_BYTES = 32


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "ironlog"


class Settings(BaseSettings):
    """Every setting IronLog reads. `ironlog config --markdown` prints them as the Markdown table
    of the README, from these fields (types, defaults and descriptions)."""

    model_config = SettingsConfigDict(
        env_prefix="IRONLOG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production", "test"] = Field(
        "development",
        description="`production` refuses to start without a secret key of 32 bytes or more, "
        "without a metrics token while metrics are on, and without a Google redirect URI "
        "while Google sign-in is on.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the SQLite database and the generated development secret key.",
        json_schema_extra={"default_doc": "`$XDG_DATA_HOME/ironlog` or `~/.local/share/ironlog`"},
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
    access_token_ttl_seconds: int = Field(
        900, ge=60, le=86_400, description="Lifetime of access tokens (JWTs), in seconds."
    )
    refresh_token_ttl_seconds: int = Field(
        30 * 86_400,
        ge=3600,
        le=365 * 86_400,
        description="Lifetime of refresh tokens, in seconds (30 days).",
    )
    jwt_issuer: str = Field("ironlog", description="`iss` claim of access tokens, checked.")
    jwt_audience: str = Field("ironlog-api", description="`aud` claim of access tokens, checked.")

    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated origins allowed by CORS; empty allows none.",
    )

    login_max_failures: int = Field(5, ge=1, description="Failed logins per email before 429.")
    login_ip_max_failures: int = Field(
        50, ge=1, description="Failed logins per client address before 429."
    )
    login_window_seconds: int = Field(900, ge=1, description="Window of the login limits.")

    register_max_per_client: int = Field(
        20, ge=1, description="Registrations per client address within the window before 429."
    )
    register_window_seconds: int = Field(
        3600, ge=1, description="Window of the registration limit."
    )

    registration: Literal["open", "closed", "invite"] = Field(
        "open",
        description="Who may create an account: `open` (anyone), `invite` (only with a "
        "single-use invite an administrator made) or `closed` (nobody; administrators create "
        "accounts with `ironlog users create`). Applies to Google sign-up of new accounts too "
        "(refused unless `open`).",
    )
    public_url: str | None = Field(
        None,
        description="The address people open IronLog at (e.g. `https://lift.example.com`), the "
        "base of invite and password reset links; unset means the request's own address (and a "
        "bare path from the `ironlog users` commands).",
    )
    invite_ttl_seconds: int = Field(
        7 * 86_400,
        ge=300,
        le=365 * 86_400,
        description="How long an invite link stays usable, in seconds (7 days).",
    )
    password_reset_ttl_seconds: int = Field(
        86_400,
        ge=300,
        le=30 * 86_400,
        description="How long a password reset link stays usable, in seconds (24 hours).",
    )

    argon2_time_cost: int = Field(3, ge=1, description="argon2id passes over memory.")
    argon2_memory_cost_kib: int = Field(
        65_536, ge=8, description="argon2id memory per hash, in KiB (64 MiB)."
    )
    argon2_parallelism: int = Field(4, ge=1, description="argon2id lanes.")
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

    import_timeout_seconds: float = Field(
        300.0,
        ge=0,
        description="The request deadline of `POST /imports` (a 20 MiB file is ~180,000 sets); "
        "0 disables it.",
    )
    export_deadline_seconds: float = Field(
        600.0,
        ge=0,
        description="A streamed export the client has not taken in whole by then is cut and its "
        "database connection returned; 0 disables the deadline.",
    )
    export_concurrency: int = Field(
        4,
        ge=1,
        description="Exports each server process streams at once (each holds a database "
        "connection while it is sent); one more is 429 `streams_busy`.",
    )

    http_header_timeout_seconds: float = Field(
        10.0,
        ge=0,
        description="`ironlog serve` closes a connection whose request line and headers are not "
        "complete by then (slowloris); 0 disables it.",
    )

    db_pool_size: int = Field(
        10,
        ge=1,
        description="PostgreSQL connections each server process keeps open, and as many more "
        "for the reads and one-statement writes that go straight to the driver (opened as "
        "they are needed).",
    )
    db_max_overflow: int = Field(
        10, ge=0, description="Extra PostgreSQL connections a process may open under load."
    )
    db_connect_timeout_seconds: float = Field(
        5.0, gt=0, description="Timeout to connect and to wait for a pooled connection."
    )
    db_lock_timeout_seconds: float = Field(
        20.0,
        gt=0,
        description="SQLite: how long a write waits for the database's write lock (another "
        "request's transaction) before it is answered 503 `database_unavailable`.",
    )
    db_statement_timeout_ms: int = Field(
        30_000, ge=0, description="PostgreSQL statement timeout; 0 disables it."
    )

    google_client_id: str | None = Field(
        None,
        description='OAuth client id of a Google "Web application" client; enables Google sign-in.',
    )
    google_client_secret: SecretStr | None = Field(
        None, description="Its client secret (used at the token endpoint)."
    )
    google_discovery_url: str = Field(
        "https://accounts.google.com/.well-known/openid-configuration",
        description="The identity provider's OpenID Connect discovery document.",
    )
    google_redirect_uri: str | None = Field(
        None,
        description="Where Google sends the browser back; unset means this server's "
        "`/api/v1/auth/google/callback`, built from the request (set it behind a proxy).",
    )
    google_app_client_ids: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated client ids of your own Android/iOS apps: ID tokens whose "
        "`aud` or `azp` is one of them are accepted too.",
    )
    google_login_max_per_client: int = Field(
        30,
        ge=1,
        description="Google sign-ins a client address may start (each stores a pending row "
        "until it expires) within the window, before 429.",
    )
    google_login_window_seconds: int = Field(
        600, ge=1, description="Window of the Google sign-in limit."
    )
    google_http_timeout_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description="Timeout of each call to the identity provider (discovery, keys, token).",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Least severe level logged."
    )
    log_format: Literal["json", "console"] = Field(
        "json",
        description="Logs go to stderr: one JSON object per line, or `console` for humans.",
    )

    metrics_enabled: bool = Field(
        True, description="Serve Prometheus metrics at `/metrics`; `false` removes the route."
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="When set, `/metrics` needs `Authorization: Bearer <token>` (else 401).",
    )

    sync_retention_days: int = Field(
        90,
        ge=1,
        le=3650,
        description="Days the change feed keeps deletions; an older sync cursor gets a new "
        "snapshot (`reset`).",
    )
    sync_cleanup_interval_seconds: float = Field(
        3600.0,
        ge=0,
        description="How often each server process deletes expired deletions of the change "
        "feed; 0 turns the periodic clean-up off (then run `ironlog sync cleanup`).",
    )

    @field_validator("cors_origins", "google_app_client_ids", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @model_validator(mode="after")
    def refuse_unsafe_production(self) -> "Settings":
        """Production refuses to start on a setting that would leave it open (see
        docs/security.md); `ironlog serve` prints the message as one line and exits 2."""
        if self.env == "production":
            problem = self.production_problem()
            if problem:
                raise ValueError(problem)
        return self

    def production_problem(self) -> str | None:
        generate = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        if self.secret_key is None:
            return (
                "IRONLOG_SECRET_KEY is required when IRONLOG_ENV=production "
                f"(generate one with: {generate})"
            )
        if len(self.secret_key.get_secret_value().encode()) < MIN_SECRET_KEY_BYTES:
            return (
                f"IRONLOG_SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes in production "
                f"(generate one with: {generate})"
            )
        if self.metrics_enabled and self.metrics_token is None:
            return (
                "IRONLOG_METRICS_TOKEN is required in production while metrics are on "
                "(or set IRONLOG_METRICS_ENABLED=false)"
            )
        if self.google_enabled and not self.google_redirect_uri:
            return (
                "IRONLOG_GOOGLE_REDIRECT_URI is required in production when Google sign-in is on "
                "(else the callback URL would follow the request's Host header)"
            )
        return None

    @property
    def database_url_in_use(self) -> str:
        """`database_url`, or the SQLite file in the data folder when it is unset."""
        return self.database_url or f"sqlite:///{self.data_dir / 'ironlog.db'}"

    @cached_property
    def sqlalchemy_url(self) -> str:
        """The database URL with the async driver IronLog uses."""
        url = self.database_url_in_use
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
        key_file = self.secret_key_file
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.touch(mode=0o600)
        key_file.write_text(key)
        return key

    @property
    def secret_key_file(self) -> Path:
        """Where the key is generated and kept while `secret_key` is unset."""
        return self.data_dir / "secret_key"

    @property
    def google_enabled(self) -> bool:
        return bool(self.google_client_id)
