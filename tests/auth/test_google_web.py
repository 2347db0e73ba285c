"""Google sign-in for IronLog's web app, against the real local OpenID Connect provider: the
callback sets the refresh cookie and redirects into the app, never with a token in a URL, and
linking from the app binds the sign-in to the account that started it."""

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import AuthSession, Base, OidcLogin, User
from tests.auth.conftest import ConfigureGoogle, MovableClock
from tests.auth.google_helpers import GOOGLE_CALLBACK, GOOGLE_LOGIN, ME, query_of, sign_in
from tests.auth.oidc_provider import LocalProvider
from tests.auth.test_web_session import COOKIE_MODE, REFRESH, bearer, refresh_cookie_of
from tests.conftest import UserHandle

LINK_START = "/api/v1/auth/google/link-start"
CONFIG = "/api/v1/auth/config"


async def web_sign_in_trip(client: httpx.AsyncClient, provider: LocalProvider, sub: str) -> str:
    """The web app's "Sign in with Google" up to the browser's return: the callback URL."""
    start = await client.get(GOOGLE_LOGIN, params={"client": "web"})
    assert start.status_code == 302, start.text
    return await provider.authorize(start.headers["location"], sub)


async def web_link_trip(
    client: httpx.AsyncClient, provider: LocalProvider, sub: str, user: UserHandle
) -> str:
    started = await client.post(LINK_START, headers=user.headers)
    assert started.status_code == 200, started.text
    return await provider.authorize(started.json()["authorization_url"], sub)


async def count(db: AsyncSession, model: type[Base]) -> int:
    return await db.scalar(select(func.count()).select_from(model)) or 0


def assert_redirect(response: httpx.Response, location: str) -> None:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == location
    assert response.headers["cache-control"] == "no-store"


# Signing in from the web app


async def test_web_login_marks_the_stored_state_as_a_web_sign_in(
    client: httpx.AsyncClient, db: AsyncSession, configure_google: ConfigureGoogle
) -> None:
    start = await client.get(GOOGLE_LOGIN, params={"client": "web"})
    assert start.status_code == 302
    login = await db.scalar(select(OidcLogin))
    assert login is not None
    assert login.web is True
    assert login.link_user_id is None
    assert query_of(start.headers["location"])["redirect_uri"].endswith(GOOGLE_CALLBACK)


async def test_web_sign_in_sets_the_refresh_cookie_and_redirects_home(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    sub = oidc_provider.add_user(email="web-grace@example.com", email_verified=True, name="G")
    callback_url = await web_sign_in_trip(client, oidc_provider, sub)

    response = await client.get(callback_url)
    assert_redirect(response, "/#/")
    assert response.content == b""
    cookie, attributes = refresh_cookie_of(response)
    assert attributes == {
        "httponly": "",
        "samesite": "Strict",
        "path": "/api/v1/auth",
        "max-age": str(30 * 86_400),
        "secure": "",
    }
    # The cookie is a working session of the new account.
    refreshed = await client.post(
        REFRESH, headers={**COOKIE_MODE, "Cookie": f"ironlog_refresh={cookie}"}
    )
    assert refreshed.status_code == 200
    me = await client.get(ME, headers=bearer(refreshed.json()["access_token"]))
    assert me.json()["email"] == "web-grace@example.com"
    assert me.json()["google_linked"] is True
    assert await count(db, OidcLogin) == 0


async def test_web_sign_in_reaches_the_account_linked_to_the_identity(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="web-again@example.com", email_verified=True)
    first = (await sign_in(client, oidc_provider, sub)).json()
    response = await client.get(await web_sign_in_trip(client, oidc_provider, sub))
    assert_redirect(response, "/#/")
    cookie, _ = refresh_cookie_of(response)
    refreshed = await client.post(
        REFRESH, headers={**COOKIE_MODE, "Cookie": f"ironlog_refresh={cookie}"}
    )
    me = await client.get(ME, headers=bearer(refreshed.json()["access_token"]))
    assert me.json()["id"] == first["user"]["id"]


async def test_web_sign_in_declined_at_google_redirects_to_the_sign_in_page(
    client: httpx.AsyncClient, db: AsyncSession, configure_google: ConfigureGoogle
) -> None:
    start = await client.get(GOOGLE_LOGIN, params={"client": "web"})
    state = query_of(start.headers["location"])["state"]
    response = await client.get(GOOGLE_CALLBACK, params={"state": state, "error": "access_denied"})
    assert_redirect(response, "/#/signin?error=google_authorization_failed")
    assert "set-cookie" not in response.headers
    assert await count(db, OidcLogin) == 0  # the state is consumed


async def test_web_sign_in_errors_never_put_tokens_in_the_url(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    """An existing account the identity is not linked to: 409 `google_link_required` for the
    API, a redirect with the code for the web app; no account is created or linked."""
    sub = oidc_provider.add_user(email=user.email, email_verified=False)
    users_before = await count(db, User)
    response = await client.get(await web_sign_in_trip(client, oidc_provider, sub))
    assert_redirect(response, "/#/signin?error=google_link_required")
    assert "set-cookie" not in response.headers
    assert await count(db, User) == users_before
    assert (await client.get(ME, headers=user.headers)).json()["google_linked"] is False


async def test_an_expired_web_sign_in_redirects_with_its_code(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    google_clock: MovableClock,
) -> None:
    sub = oidc_provider.add_user(email="web-slow@example.com", email_verified=True)
    callback_url = await web_sign_in_trip(client, oidc_provider, sub)
    google_clock.advance(10 * 60 + 1)
    assert_redirect(await client.get(callback_url), "/#/signin?error=oauth_state_expired")


async def test_a_reloaded_callback_page_redirects_instead_of_showing_json(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="web-reload@example.com", email_verified=True)
    callback_url = await web_sign_in_trip(client, oidc_provider, sub)
    assert (await client.get(callback_url)).status_code == 303
    navigation = {"Sec-Fetch-Mode": "navigate"}
    reloaded = await client.get(callback_url, headers=navigation)
    assert_redirect(reloaded, "/#/signin?error=invalid_oauth_state")
    assert "set-cookie" not in reloaded.headers
    # An API client replaying it still gets the problem details.
    replayed = await client.get(callback_url)
    assert replayed.status_code == 400
    assert replayed.json()["code"] == "invalid_oauth_state"


async def test_a_web_sign_in_ignores_a_bearer_token_and_never_links(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    start = await client.get(GOOGLE_LOGIN, params={"client": "web"}, headers=user.headers)
    assert start.status_code == 302
    login = await db.scalar(select(OidcLogin))
    assert login is not None and login.link_user_id is None


async def test_an_unknown_client_is_422(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle
) -> None:
    response = await client.get(GOOGLE_LOGIN, params={"client": "ios"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "client"]


async def test_the_api_callback_still_answers_json(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="web-api@example.com", email_verified=True)
    response = await sign_in(client, oidc_provider, sub, headers={"Sec-Fetch-Mode": "navigate"})
    assert response.status_code == 200
    assert isinstance(response.json()["tokens"]["refresh_token"], str)
    assert "set-cookie" not in response.headers


# Linking from the web app


async def test_link_start_binds_the_sign_in_to_the_caller(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    response = await client.post(LINK_START, headers=user.headers)
    assert response.status_code == 200
    url = response.json()["authorization_url"]
    assert url.startswith(f"{oidc_provider.base_url}/oauth2/authorize?")
    assert query_of(url)["code_challenge_method"] == "S256"
    login = await db.scalar(select(OidcLogin))
    assert login is not None
    assert (login.link_user_id, login.web) == (user.id, True)


async def test_web_link_links_the_identity_and_returns_to_settings(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    sub = oidc_provider.add_user(email="someone-else@gmail.com", email_verified=True)
    callback_url = await web_link_trip(client, oidc_provider, sub, user)
    sessions_before = await count(db, AuthSession)

    response = await client.get(callback_url)  # no credential: the state names the account
    assert_redirect(response, "/#/settings?google=linked")
    assert "set-cookie" not in response.headers
    assert await count(db, AuthSession) == sessions_before  # linking starts no session
    me = (await client.get(ME, headers=user.headers)).json()
    assert me["google_linked"] is True
    assert me["email"] == user.email
    # Google sign-in now reaches this account.
    signed_in = await sign_in(client, oidc_provider, sub)
    assert signed_in.json()["user"]["id"] == str(user.id)


async def test_web_link_of_an_identity_taken_by_another_account_returns_its_code(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    sub = oidc_provider.add_user(email="owner@example.com", email_verified=True)
    assert (await sign_in(client, oidc_provider, sub)).status_code == 200  # owner's account
    response = await client.get(await web_link_trip(client, oidc_provider, sub, user))
    assert_redirect(response, "/#/settings?error=google_identity_taken")
    assert (await client.get(ME, headers=user.headers)).json()["google_linked"] is False


async def test_web_link_of_an_account_linked_elsewhere_returns_its_code(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    first = oidc_provider.add_user(email="first-google@example.com", email_verified=True)
    second = oidc_provider.add_user(email="second-google@example.com", email_verified=True)
    assert_redirect(
        await client.get(await web_link_trip(client, oidc_provider, first, user)),
        "/#/settings?google=linked",
    )
    response = await client.get(await web_link_trip(client, oidc_provider, second, user))
    assert_redirect(response, "/#/settings?error=google_already_linked")


async def test_web_link_declined_at_google_returns_to_settings(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle, user: UserHandle
) -> None:
    started = await client.post(LINK_START, headers=user.headers)
    state = query_of(started.json()["authorization_url"])["state"]
    response = await client.get(GOOGLE_CALLBACK, params={"state": state, "error": "access_denied"})
    assert_redirect(response, "/#/settings?error=google_authorization_failed")


async def test_link_start_needs_a_bearer_token(
    client: httpx.AsyncClient, db: AsyncSession, configure_google: ConfigureGoogle
) -> None:
    response = await client.post(LINK_START)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert await count(db, OidcLogin) == 0


async def test_link_start_without_google_is_404(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(LINK_START, headers=user.headers)
    assert response.status_code == 404
    assert response.json()["code"] == "google_login_disabled"


async def test_auth_config_shows_google_when_configured(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle
) -> None:
    response = await client.get(CONFIG)
    assert response.json() == {"google_enabled": True, "registration": "open"}
