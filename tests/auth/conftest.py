from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from tests.auth.oidc_provider import LocalProvider, run_local_provider

GOOGLE_CLIENT_ID = "ironlog-test-client"
GOOGLE_CLIENT_SECRET = "ironlog-test-secret"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[LocalProvider]:
    """One real OpenID Connect provider on 127.0.0.1 for the whole run."""
    with run_local_provider() as provider:
        yield provider


ConfigureGoogle = Callable[..., None]


@pytest.fixture
def configure_google(app: FastAPI, oidc_provider: LocalProvider) -> Iterator[ConfigureGoogle]:
    """Point the app's Google settings at the local provider (changes may override them).

    The provider client is cached in `app.state`; it is dropped so that every test starts with
    empty discovery and key caches, and the provider's request log is cleared.
    """
    original: Settings = app.state.settings

    def configure(**changes: object) -> None:
        values: dict[str, object] = {
            "google_client_id": GOOGLE_CLIENT_ID,
            "google_client_secret": SecretStr(GOOGLE_CLIENT_SECRET),
            "google_discovery_url": oidc_provider.discovery_url,
            "google_redirect_uri": None,
            "google_http_timeout_seconds": 5.0,
            "google_app_client_ids": [],
        }
        values.update(changes)
        app.state.settings = original.model_copy(update=values)
        app.state.google_provider = None

    configure()
    oidc_provider.recorder.clear()
    yield configure
    app.state.settings = original
    app.state.google_provider = None


class MovableClock:
    """Real time plus an offset the test moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def google_clock(monkeypatch: pytest.MonkeyPatch) -> MovableClock:
    clock = MovableClock()
    monkeypatch.setattr("ironlog.auth.google.utc_now", clock)
    monkeypatch.setattr("ironlog.auth.google_service.utc_now", clock)
    return clock
