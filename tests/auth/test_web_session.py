"""Browser sessions (cookie mode): the refresh token lives in an HttpOnly cookie, never in a body
JavaScript reads; rotation, reuse detection, logout and the CSRF rules."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ironlog.core.config import Settings
from ironlog.models import AuthSession, RefreshToken, User
from tests.conftest import UserHandle
from tests.security.conftest import offline_app

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
LOGOUT_ALL = "/api/v1/auth/logout-all"
CONFIG = "/api/v1/auth/config"
ME = "/api/v1/users/me"
COOKIE_MODE = {"X-IronLog-Session": "cookie"}
THIRTY_DAYS = 30 * 86_400


def cookie_header(token: str) -> dict[str, str]:
    return {"Cookie": f"ironlog_refresh={token}"}


def cookie_mode_with(token: str, **headers: str) -> dict[str, str]:
    return {**COOKIE_MODE, **cookie_header(token), **headers}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def refresh_cookie_of(response: httpx.Response) -> tuple[str, dict[str, str]]:
    """The one `ironlog_refresh` Set-Cookie of a response: its value and its attributes (names
    lower-cased, flags mapped to "")."""
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith("ironlog_")]
    assert len(cookies) == 1, response.headers.get_list("set-cookie")
    pair, *attributes = (part.strip() for part in cookies[0].split(";"))
    name, _, value = pair.partition("=")
    assert name == "ironlog_refresh"
    parsed = {}
    for attribute in attributes:
        key, _, attribute_value = attribute.partition("=")
        parsed[key.lower()] = attribute_value
    return value, parsed


def assert_cleared(response: httpx.Response, *, secure: bool = True) -> None:
    value, attributes = refresh_cookie_of(response)
    assert value == '""'
    expected = {"max-age": "0", "path": "/api/v1/auth", "httponly": "", "samesite": "Strict"}
    assert attributes == ({**expected, "secure": ""} if secure else expected)


async def sessions_of(db: AsyncSession, user_id: object) -> list[AuthSession]:
    statement = (
        select(AuthSession)
        .where(AuthSession.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    return list(await db.scalars(statement))


async def cookie_login(client: httpx.AsyncClient, user: UserHandle) -> tuple[str, str]:
    """Sign in in cookie mode; returns (access token, refresh cookie value)."""
    response = await client.post(
        LOGIN, json={"email": user.email, "password": user.password}, headers=COOKIE_MODE
    )
    assert response.status_code == 200, response.text
    value, _ = refresh_cookie_of(response)
    return response.json()["access_token"], value


@pytest.fixture
def web_settings(app: FastAPI) -> Iterator[None]:
    """The app's settings with one configured CORS origin (restored afterwards)."""
    original: Settings = app.state.settings
    app.state.settings = original.model_copy(update={"cors_origins": ["https://app.example.com"]})
    yield
    app.state.settings = original


# Cookie mode on register and login


async def test_register_in_cookie_mode_sets_the_cookie_and_hides_the_token(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    response = await client.post(
        REGISTER,
        json={"email": "web@example.com", "password": "correct horse", "name": "Web"},
        headers=COOKIE_MODE,
    )
    assert response.status_code == 201
    tokens = response.json()["tokens"]
    assert tokens["refresh_token"] is None
    assert tokens["access_token"] and tokens["expires_in"] == 900
    value, attributes = refresh_cookie_of(response)
    assert attributes == {
        "httponly": "",
        "samesite": "Strict",
        "path": "/api/v1/auth",
        "max-age": str(THIRTY_DAYS),
        "secure": "",
    }
    stored = await db.scalar(
        select(RefreshToken.token_hash).join(User).where(User.email == "web@example.com")
    )
    assert stored == hashlib.sha256(value.encode()).hexdigest()
    me = await client.get(ME, headers=bearer(tokens["access_token"]))
    assert me.status_code == 200


async def test_login_in_cookie_mode_sets_the_cookie_and_hides_the_token(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(
        LOGIN, json={"email": user.email, "password": user.password}, headers=COOKIE_MODE
    )
    assert response.status_code == 200
    assert response.json()["refresh_token"] is None
    value, attributes = refresh_cookie_of(response)
    assert len(value) >= 43
    assert attributes["max-age"] == str(THIRTY_DAYS)
    assert "secure" in attributes


async def test_the_oauth2_login_form_works_in_cookie_mode(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(
        LOGIN, data={"username": user.email, "password": user.password}, headers=COOKIE_MODE
    )
    assert response.status_code == 200
    assert response.json()["refresh_token"] is None
    refresh_cookie_of(response)


async def test_without_the_header_nothing_changes_for_api_clients(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(LOGIN, json={"email": user.email, "password": user.password})
    assert response.status_code == 200
    assert isinstance(response.json()["refresh_token"], str)
    assert "set-cookie" not in response.headers
    refreshed = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert refreshed.status_code == 200
    assert isinstance(refreshed.json()["refresh_token"], str)
    assert "set-cookie" not in refreshed.headers


async def test_a_failed_login_in_cookie_mode_sets_no_cookie(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(
        LOGIN, json={"email": user.email, "password": "wrong password"}, headers=COOKIE_MODE
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [
        ("http://localhost:8000", False),
        ("http://127.0.0.1:8000", False),
        ("http://[::1]:8000", False),
        ("https://localhost", True),
        ("http://192.168.1.20:8000", True),
        ("http://lift.example.com", True),
        ("https://lift.example.com", True),
    ],
)
async def test_the_cookie_is_secure_except_over_plain_http_to_a_loopback_host(
    client: httpx.AsyncClient, app: FastAPI, user: UserHandle, base_url: str, secure: bool
) -> None:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as browser:
        response = await browser.post(
            LOGIN, json={"email": user.email, "password": user.password}, headers=COOKIE_MODE
        )
    assert response.status_code == 200
    _, attributes = refresh_cookie_of(response)
    assert ("secure" in attributes) is secure


@pytest.mark.parametrize(
    ("trusted", "secure", "own_origin"),
    [("127.0.0.1", True, "https://localhost"), ("10.0.0.1", False, "http://localhost")],
)
async def test_a_trusted_proxy_decides_the_scheme(
    client: httpx.AsyncClient,
    app: FastAPI,
    user: UserHandle,
    trusted: str,
    secure: bool,
    own_origin: str,
) -> None:
    """Behind a proxy that `--forwarded-allow-ips` trusts, TLS at the proxy means `Secure` and
    an https origin, although IronLog itself is reached over http://localhost."""
    proxied = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # what `ironlog serve` adds
    transport = httpx.ASGITransport(app=proxied, client=("127.0.0.1", 40000))
    headers = {**COOKIE_MODE, "X-Forwarded-Proto": "https"}
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as browser:
        signed_in = await browser.post(
            LOGIN,
            json={"email": user.email, "password": user.password},
            headers={**headers, "Origin": own_origin},
        )
        other_scheme = "http://localhost" if secure else "https://localhost"
        refused = await browser.post(REFRESH, headers={**headers, "Origin": other_scheme})
    assert signed_in.status_code == 200, signed_in.text
    _, attributes = refresh_cookie_of(signed_in)
    assert ("secure" in attributes) is secure
    assert refused.status_code == 403


async def test_a_browser_cookie_jar_keeps_the_session_going(
    client: httpx.AsyncClient, app: FastAPI, user: UserHandle
) -> None:
    """A real cookie jar on http://localhost: the cookie comes back on the auth routes only."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as browser:
        signed_in = await browser.post(
            LOGIN, json={"email": user.email, "password": user.password}, headers=COOKIE_MODE
        )
        first = browser.cookies["ironlog_refresh"]
        refreshed = await browser.post(REFRESH, headers=COOKIE_MODE)
        assert refreshed.status_code == 200, refreshed.text
        assert browser.cookies["ironlog_refresh"] != first
        me = await browser.get(ME, headers=bearer(refreshed.json()["access_token"]))
        assert me.status_code == 200
        assert "ironlog_refresh" not in me.request.headers.get("cookie", "")
        logged_out = await browser.post(LOGOUT, headers=COOKIE_MODE)
        assert logged_out.status_code == 204
        assert "ironlog_refresh" not in browser.cookies
        again = await browser.post(REFRESH, headers=COOKIE_MODE)
    assert signed_in.status_code == 200
    assert again.status_code == 401
    assert again.json()["code"] == "invalid_refresh_token"


# Refresh in cookie mode


async def test_refresh_in_cookie_mode_rotates_the_cookie(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    _, first = await cookie_login(client, user)
    response = await client.post(REFRESH, headers=cookie_mode_with(first))
    assert response.status_code == 200
    body = response.json()
    assert body["refresh_token"] is None
    second, attributes = refresh_cookie_of(response)
    assert second != first
    assert attributes["max-age"] == str(THIRTY_DAYS)
    assert (await client.get(ME, headers=bearer(body["access_token"]))).status_code == 200
    third = await client.post(REFRESH, headers=cookie_mode_with(second), json={})
    assert third.status_code == 200


async def test_a_rotated_cookie_presented_again_revokes_the_session(
    client: httpx.AsyncClient, db: AsyncSession, user: UserHandle
) -> None:
    access, first = await cookie_login(client, user)
    rotated = await client.post(REFRESH, headers=cookie_mode_with(first))
    second, _ = refresh_cookie_of(rotated)
    reused = await client.post(REFRESH, headers=cookie_mode_with(first))
    assert reused.status_code == 401
    assert reused.json()["code"] == "refresh_token_reused"
    assert_cleared(reused)
    # The whole session is gone: the successor cookie and the access tokens fail too.
    successor = await client.post(REFRESH, headers=cookie_mode_with(second))
    assert successor.status_code == 401
    assert successor.json()["code"] == "invalid_refresh_token"
    assert (await client.get(ME, headers=bearer(access))).status_code == 401
    new_access = rotated.json()["access_token"]
    assert (await client.get(ME, headers=bearer(new_access))).status_code == 401
    revoked = [s for s in await sessions_of(db, user.id) if s.revoked_at is not None]
    assert len(revoked) == 1


async def test_refresh_in_cookie_mode_without_a_cookie_is_401_and_clears_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(REFRESH, headers=COOKIE_MODE)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_refresh_token"
    assert response.headers["www-authenticate"] == "Bearer"
    assert_cleared(response)


async def test_refresh_with_an_unknown_cookie_is_401_and_clears_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(REFRESH, headers=cookie_mode_with("not-a-token-we-issued"))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_refresh_token"
    assert_cleared(response)


async def test_refresh_in_cookie_mode_refuses_a_token_in_the_body(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    _, cookie = await cookie_login(client, user)
    response = await client.post(
        REFRESH, headers=cookie_mode_with(cookie), json={"refresh_token": user.refresh_token}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "refresh_token"]
    assert "set-cookie" not in response.headers
    # Nothing was rotated: the cookie still works.
    assert (await client.post(REFRESH, headers=cookie_mode_with(cookie))).status_code == 200


async def test_a_cookie_without_the_header_is_never_read(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    """What a cross-site form could send: the cookie alone, no custom header."""
    _, cookie = await cookie_login(client, user)
    for path in (REFRESH, LOGOUT):
        response = await client.post(path, headers=cookie_header(cookie))
        assert response.status_code == 422, path
        assert response.json()["errors"] == [
            {"loc": ["body", "refresh_token"], "msg": "Field required", "type": "missing"}
        ]
        form = await client.post(path, headers=cookie_header(cookie), data={"a": "b"})
        assert form.status_code == 415, path
    assert (await client.post(REFRESH, headers=cookie_mode_with(cookie))).status_code == 200


async def test_an_unknown_session_mode_is_422(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await client.post(
        LOGIN,
        json={"email": user.email, "password": user.password},
        headers={"X-IronLog-Session": "token"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["header", "X-IronLog-Session"]


# Logout


async def test_logout_in_cookie_mode_revokes_the_session_and_clears_the_cookie(
    client: httpx.AsyncClient, db: AsyncSession, user: UserHandle
) -> None:
    access, cookie = await cookie_login(client, user)
    response = await client.post(LOGOUT, headers=cookie_mode_with(cookie))
    assert response.status_code == 204
    assert_cleared(response)
    assert (await client.get(ME, headers=bearer(access))).status_code == 401
    assert (await client.get(ME, headers=user.headers)).status_code == 200  # the other session
    refused = await client.post(REFRESH, headers=cookie_mode_with(cookie))
    assert refused.status_code == 401
    assert len([s for s in await sessions_of(db, user.id) if s.revoked_at is None]) == 1


async def test_logout_in_cookie_mode_without_a_cookie_still_clears_it(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(LOGOUT, headers=COOKIE_MODE, json={})
    assert response.status_code == 204
    assert_cleared(response)


async def test_logout_all_clears_the_cookie_when_the_request_carries_it(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    access, cookie = await cookie_login(client, user)
    response = await client.post(LOGOUT_ALL, headers={**bearer(access), **cookie_header(cookie)})
    assert response.status_code == 204
    assert_cleared(response)
    assert (await client.post(REFRESH, headers=cookie_mode_with(cookie))).status_code == 401
    assert (await client.get(ME, headers=user.headers)).status_code == 401


async def test_logout_all_without_the_cookie_sets_none(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(LOGOUT_ALL, headers=user.headers)
    assert response.status_code == 204
    assert "set-cookie" not in response.headers


# CSRF: the origin of cookie-mode requests


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example.com", "null", "http://testserver.evil.com", "https://testserver"],
)
async def test_cookie_mode_from_a_foreign_origin_is_403_and_changes_nothing(
    client: httpx.AsyncClient, db: AsyncSession, user: UserHandle, origin: str
) -> None:
    _, cookie = await cookie_login(client, user)
    headers = cookie_mode_with(cookie, Origin=origin)
    attempts = [
        await client.post(REFRESH, headers=headers),
        await client.post(LOGOUT, headers=headers),
        await client.post(
            LOGIN, json={"email": user.email, "password": user.password}, headers=headers
        ),
        await client.post(
            REGISTER,
            json={"email": "csrf@example.com", "password": "correct horse", "name": "C"},
            headers=headers,
        ),
    ]
    for response in attempts:
        assert response.status_code == 403, response.request.url
        assert response.json()["code"] == "forbidden"
        assert "set-cookie" not in response.headers
    assert await db.scalar(select(User).where(User.email == "csrf@example.com")) is None
    assert len(await sessions_of(db, user.id)) == 2  # register's and the cookie login's
    assert all(s.revoked_at is None for s in await sessions_of(db, user.id))
    assert (await client.post(REFRESH, headers=cookie_mode_with(cookie))).status_code == 200


@pytest.mark.usefixtures("web_settings")
@pytest.mark.parametrize("origin", ["http://testserver", "https://app.example.com"])
async def test_cookie_mode_from_the_own_or_a_configured_origin_is_honoured(
    client: httpx.AsyncClient, user: UserHandle, origin: str
) -> None:
    _, cookie = await cookie_login(client, user)
    response = await client.post(REFRESH, headers=cookie_mode_with(cookie, Origin=origin))
    assert response.status_code == 200
    refresh_cookie_of(response)


async def test_the_origin_is_not_checked_without_cookie_mode(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    """API clients authenticate with what they send, never with ambient cookies."""
    response = await client.post(
        REFRESH,
        json={"refresh_token": user.refresh_token},
        headers={"Origin": "https://evil.example.com"},
    )
    assert response.status_code == 200


async def test_cors_preflight_allows_the_session_header_for_configured_origins_only(
    tmp_path: Path,
) -> None:
    app = offline_app(tmp_path, cors_origins=["https://app.example.com"])
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-ironlog-session",
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        allowed = await client.options(
            REFRESH, headers={"origin": "https://app.example.com", **preflight}
        )
        refused = await client.options(
            REFRESH, headers={"origin": "https://evil.example.com", **preflight}
        )
    assert allowed.status_code == 200
    assert "x-ironlog-session" in allowed.headers["access-control-allow-headers"].lower()
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


# What the sign-in screen offers


async def test_auth_config_says_whether_google_is_enabled(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    response = await client.get(CONFIG)
    assert response.status_code == 200
    assert response.json() == {"google_enabled": False, "registration": "open"}
    original: Settings = app.state.settings
    app.state.settings = original.model_copy(update={"google_client_id": "web-client"})
    try:
        enabled = await client.get(CONFIG)
    finally:
        app.state.settings = original
    assert enabled.json() == {"google_enabled": True, "registration": "open"}
