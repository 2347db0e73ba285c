"""Google sign-in when it is switched off, when the provider cannot be reached, and what is
cached between requests."""

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import OidcLogin
from tests.auth.conftest import GOOGLE_CLIENT_ID, ConfigureGoogle
from tests.auth.google_helpers import (
    GOOGLE_CALLBACK,
    GOOGLE_LINK,
    GOOGLE_LOGIN,
    GOOGLE_TOKEN,
    start_and_authorize,
)
from tests.auth.oidc_provider import LocalProvider, run_local_provider
from tests.conftest import UserHandle

DISCOVERY_PATH = "/.well-known/openid-configuration"


@pytest.fixture
def closed_port() -> int:
    """A local port nobody listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A local port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


async def all_google_routes(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> list[httpx.Response]:
    return [
        await client.get(GOOGLE_LOGIN),
        await client.get(GOOGLE_CALLBACK, params={"code": "c", "state": "s"}),
        await client.post(GOOGLE_TOKEN, json={"id_token": "x.y.z"}),
        await client.post(GOOGLE_LINK, json={"id_token": "x.y.z"}, headers=headers),
    ]


async def test_every_google_route_is_404_without_a_client_id(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    for response in await all_google_routes(client, user.headers):
        assert response.status_code == 404, response.request.url
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "google_login_disabled"


async def test_google_is_disabled_by_an_empty_client_id(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle, user: UserHandle
) -> None:
    configure_google(google_client_id="")
    for response in await all_google_routes(client, user.headers):
        assert response.json()["code"] == "google_login_disabled"


async def test_unreachable_provider_is_503(
    client: httpx.AsyncClient,
    db: AsyncSession,
    configure_google: ConfigureGoogle,
    closed_port: int,
) -> None:
    configure_google(google_discovery_url=f"http://127.0.0.1:{closed_port}{DISCOVERY_PATH}")
    for response in (
        await client.get(GOOGLE_LOGIN),
        await client.post(GOOGLE_TOKEN, json={"id_token": "x.y.z"}),
    ):
        assert response.status_code == 503
        assert response.json()["code"] == "identity_provider_unavailable"
        assert response.headers["retry-after"] == "5"
    assert await db.scalar(select(func.count()).select_from(OidcLogin)) == 0


async def test_provider_that_does_not_answer_is_503_after_the_timeout(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle, silent_server: int
) -> None:
    configure_google(
        google_discovery_url=f"http://127.0.0.1:{silent_server}{DISCOVERY_PATH}",
        google_http_timeout_seconds=0.3,
    )
    started = time.monotonic()
    response = await client.get(GOOGLE_LOGIN)
    assert response.status_code == 503
    assert response.json()["code"] == "identity_provider_unavailable"
    assert time.monotonic() - started < 4  # the 0.3 s timeout applied, not the default 5 s


async def test_discovery_url_that_is_not_a_discovery_document_is_503(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    configure_google(google_discovery_url=f"{oidc_provider.base_url}/jwks")
    response = await client.get(GOOGLE_LOGIN)
    assert response.status_code == 503
    assert response.json()["code"] == "identity_provider_unavailable"


async def test_provider_gone_during_the_callback_is_503(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle
) -> None:
    """A provider of its own goes away between the redirect and the callback: the discovery
    document is cached, but the code exchange cannot connect."""
    with run_local_provider() as short_lived:
        configure_google(google_discovery_url=short_lived.discovery_url)
        sub = short_lived.add_user(email="outage@example.com", email_verified=True)
        trip = await start_and_authorize(client, short_lived, sub)
    response = await client.get(trip.callback_url)
    assert response.status_code == 503
    assert response.json()["code"] == "identity_provider_unavailable"
    # The sign-in is used up; the user starts again.
    assert (await client.get(trip.callback_url)).json()["code"] == "invalid_oauth_state"


async def test_discovery_document_is_fetched_once_and_cached(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    for _ in range(3):
        assert (await client.get(GOOGLE_LOGIN)).status_code == 302
    assert len(oidc_provider.recorder.of(DISCOVERY_PATH)) == 1


async def test_changed_settings_take_effect_without_a_restart(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle
) -> None:
    before = (await client.get(GOOGLE_LOGIN)).headers["location"]
    assert f"client_id={GOOGLE_CLIENT_ID}" in before
    configure_google(google_client_id="another-client")
    after = (await client.get(GOOGLE_LOGIN)).headers["location"]
    assert "client_id=another-client" in after


async def test_openapi_documents_the_google_routes_and_their_errors(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    login = paths["/api/v1/auth/google/login"]["get"]
    assert "Location" in login["responses"]["302"]["headers"]
    assert {} in login["security"]  # the bearer token is optional (it links)
    assert "google_login_disabled" in login["responses"]["404"]["description"]
    assert "identity_provider_unavailable" in login["responses"]["503"]["description"]
    callback = paths["/api/v1/auth/google/callback"]["get"]
    for status, code in [
        ("400", "invalid_oauth_state"),
        ("400", "oauth_state_expired"),
        ("401", "invalid_id_token"),
        ("401", "google_authorization_failed"),
        ("409", "google_link_required"),
    ]:
        assert code in callback["responses"][status]["description"]
    assert "AuthResult" in str(callback["responses"]["200"])
    assert "invalid_id_token" in str(paths["/api/v1/auth/google/token"]["post"]["responses"])
    assert "google_identity_taken" in str(paths["/api/v1/auth/google/link"]["post"]["responses"])
