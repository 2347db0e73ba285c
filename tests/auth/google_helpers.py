"""Steps shared by the Google sign-in tests: the browser's part of the flow."""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.auth.oidc_provider import LocalProvider

GOOGLE_LOGIN = "/api/v1/auth/google/login"
GOOGLE_CALLBACK = "/api/v1/auth/google/callback"
GOOGLE_TOKEN = "/api/v1/auth/google/token"
GOOGLE_LINK = "/api/v1/auth/google/link"
ME = "/api/v1/users/me"


def query_of(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


@dataclass
class BrowserTrip:
    """A sign-in taken as far as the browser's return to IronLog's callback."""

    authorization_url: str
    callback_url: str

    @property
    def state(self) -> str:
        return query_of(self.callback_url)["state"]

    @property
    def code(self) -> str:
        return query_of(self.callback_url)["code"]


async def start_and_authorize(
    client: httpx.AsyncClient,
    provider: LocalProvider,
    sub: str,
    headers: dict[str, str] | None = None,
) -> BrowserTrip:
    """GET /google/login, follow the 302 to the provider as the browser, consent as `sub`, and
    stop where the provider sends the browser back (the callback URL with code and state)."""
    start = await client.get(GOOGLE_LOGIN, headers=headers)
    assert start.status_code == 302, start.text
    authorization_url = start.headers["location"]
    callback_url = await provider.authorize(authorization_url, sub)
    assert callback_url.startswith(f"http://testserver{GOOGLE_CALLBACK}?"), callback_url
    return BrowserTrip(authorization_url, callback_url)


async def sign_in(
    client: httpx.AsyncClient,
    provider: LocalProvider,
    sub: str,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """The whole browser-style flow; returns the callback's response. `headers` go with the
    requests to IronLog (a bearer token links instead of signing in)."""
    trip = await start_and_authorize(client, provider, sub, headers)
    return await client.get(trip.callback_url, headers=headers)
