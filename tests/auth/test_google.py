"""Google sign-in, end to end against a real local OpenID Connect provider: the browser-style
authorization-code flow, its state, and how accounts are created and linked."""

import hashlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.models import OidcLogin, User
from tests.auth.conftest import (
    GOOGLE_CLIENT_ID,
    GOOGLE_CLIENT_SECRET,
    ConfigureGoogle,
    MovableClock,
)
from tests.auth.google_helpers import (
    GOOGLE_CALLBACK,
    GOOGLE_LOGIN,
    ME,
    query_of,
    sign_in,
    start_and_authorize,
)
from tests.auth.oidc_provider import LocalProvider, s256
from tests.conftest import UserHandle, register_user

DEFAULT_REDIRECT_URI = f"http://testserver{GOOGLE_CALLBACK}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def stored_user(db: AsyncSession, email: str) -> User:
    statement = select(User).where(User.email == email).execution_options(populate_existing=True)
    user = await db.scalar(statement)
    assert user is not None
    return user


async def pending_logins(db: AsyncSession) -> int:
    return await db.scalar(select(func.count()).select_from(OidcLogin)) or 0


# The start of the flow


async def test_login_redirects_to_the_authorization_endpoint_with_pkce_state_and_nonce(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    response = await client.get(GOOGLE_LOGIN)
    assert response.status_code == 302
    assert response.headers["cache-control"] == "no-store"
    location = response.headers["location"]
    assert location.startswith(f"{oidc_provider.base_url}/oauth2/authorize?")
    params = query_of(location)
    assert params["response_type"] == "code"
    assert params["client_id"] == GOOGLE_CLIENT_ID
    assert params["redirect_uri"] == DEFAULT_REDIRECT_URI
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    assert "client_secret" not in params


async def test_login_stores_a_hash_of_the_state_the_nonce_and_the_pkce_verifier(
    client: httpx.AsyncClient, db: AsyncSession, configure_google: ConfigureGoogle
) -> None:
    before = utc_now()
    params = query_of((await client.get(GOOGLE_LOGIN)).headers["location"])
    login = await db.scalar(select(OidcLogin))
    assert login is not None
    assert login.state_hash == hashlib.sha256(params["state"].encode()).hexdigest()
    assert params["state"] not in {login.state_hash, login.nonce, login.code_verifier}
    assert login.nonce == params["nonce"]
    assert s256(login.code_verifier) == params["code_challenge"]
    assert 43 <= len(login.code_verifier) <= 128
    assert login.redirect_uri == DEFAULT_REDIRECT_URI
    assert login.link_user_id is None
    lifetime = login.expires_at - before
    assert timedelta(minutes=9) < lifetime <= timedelta(minutes=10, seconds=5)


async def test_each_login_gets_its_own_state_nonce_and_verifier(
    client: httpx.AsyncClient, db: AsyncSession, configure_google: ConfigureGoogle
) -> None:
    first = query_of((await client.get(GOOGLE_LOGIN)).headers["location"])
    second = query_of((await client.get(GOOGLE_LOGIN)).headers["location"])
    for name in ("state", "nonce", "code_challenge"):
        assert first[name] != second[name]
    assert await pending_logins(db) == 2


async def test_redirect_uri_setting_is_sent_and_stored(
    client: httpx.AsyncClient, db: AsyncSession, configure_google: ConfigureGoogle
) -> None:
    configure_google(google_redirect_uri="https://lift.example.com/auth/google/done")
    params = query_of((await client.get(GOOGLE_LOGIN)).headers["location"])
    assert params["redirect_uri"] == "https://lift.example.com/auth/google/done"
    login = await db.scalar(select(OidcLogin))
    assert login is not None and login.redirect_uri == "https://lift.example.com/auth/google/done"


async def test_expired_sign_ins_are_cleaned_up_by_later_logins(
    client: httpx.AsyncClient,
    db: AsyncSession,
    configure_google: ConfigureGoogle,
    google_clock: MovableClock,
) -> None:
    await client.get(GOOGLE_LOGIN)
    google_clock.advance(11 * 60)
    await client.get(GOOGLE_LOGIN)
    assert await pending_logins(db) == 1


# The whole flow


async def test_browser_flow_creates_an_account_and_signs_it_in(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    sub = oidc_provider.add_user(email="Grace@Example.com", email_verified=True, name="Grace H")
    response = await sign_in(client, oidc_provider, sub)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"]["email"] == "grace@example.com"
    assert body["user"]["name"] == "Grace H"
    assert body["user"]["email_verified"] is True
    assert body["user"]["has_password"] is False
    assert body["user"]["google_linked"] is True
    assert body["tokens"]["token_type"] == "bearer"
    me = await client.get(ME, headers=bearer(body["tokens"]["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]
    assert me.json()["google_linked"] is True
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": body["tokens"]["refresh_token"]}
    )
    assert refreshed.status_code == 200

    user = await stored_user(db, "grace@example.com")
    assert (user.google_issuer, user.google_subject) == (oidc_provider.issuer, sub)
    assert user.password_hash is None
    assert await pending_logins(db) == 0


async def test_code_exchange_sends_the_pkce_verifier_and_the_client_secret(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="pkce@example.com", email_verified=True)
    trip = await start_and_authorize(client, oidc_provider, sub)
    assert (await client.get(trip.callback_url)).status_code == 200

    [authorize] = [
        request
        for request in oidc_provider.recorder.of("/oauth2/authorize")
        if request.method == "POST"
    ]
    [exchange] = oidc_provider.recorder.of("/oauth2/token")
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["code"] == trip.code
    assert exchange.form["redirect_uri"] == DEFAULT_REDIRECT_URI
    assert exchange.form["client_id"] == GOOGLE_CLIENT_ID
    assert exchange.form["client_secret"] == GOOGLE_CLIENT_SECRET
    assert s256(exchange.form["code_verifier"]) == authorize.query["code_challenge"]
    assert authorize.query["code_challenge_method"] == "S256"


async def test_provider_refusing_the_code_is_401(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    """The provider checks PKCE: a verifier that does not match the challenge is refused."""
    sub = oidc_provider.add_user(email="thief@example.com", email_verified=True)
    trip = await start_and_authorize(client, oidc_provider, sub)
    await db.execute(update(OidcLogin).values(code_verifier="x" * 64))
    await db.commit()

    response = await client.get(trip.callback_url)
    assert response.status_code == 401
    assert response.json()["code"] == "google_authorization_failed"
    assert "invalid_grant" in response.json()["detail"]
    assert await db.scalar(select(func.count()).select_from(User)) == 0


async def test_second_sign_in_reaches_the_same_account_by_subject_not_email(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="first@example.com", email_verified=True)
    first = (await sign_in(client, oidc_provider, sub)).json()
    oidc_provider.add_user(sub, email="renamed@example.com", email_verified=True)
    second = await sign_in(client, oidc_provider, sub)
    assert second.status_code == 200
    assert second.json()["user"]["id"] == first["user"]["id"]
    assert second.json()["user"]["email"] == "first@example.com"
    assert second.json()["tokens"]["refresh_token"] != first["tokens"]["refresh_token"]


# State: single use, short-lived, never guessed


async def test_replayed_state_is_refused(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="replay@example.com", email_verified=True)
    trip = await start_and_authorize(client, oidc_provider, sub)
    assert (await client.get(trip.callback_url)).status_code == 200

    replay = await client.get(trip.callback_url)
    assert replay.status_code == 400
    assert replay.headers["content-type"] == "application/problem+json"
    assert replay.json()["code"] == "invalid_oauth_state"


async def test_state_that_was_never_issued_is_refused(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    sub = oidc_provider.add_user(email="mismatch@example.com", email_verified=True)
    trip = await start_and_authorize(client, oidc_provider, sub)

    forged = await client.get(GOOGLE_CALLBACK, params={"code": trip.code, "state": "x" * 43})
    assert forged.status_code == 400
    assert forged.json()["code"] == "invalid_oauth_state"
    # The genuine sign-in is untouched by the forgery.
    assert await pending_logins(db) == 1
    assert (await client.get(trip.callback_url)).status_code == 200


async def test_missing_state_is_422(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle
) -> None:
    response = await client.get(GOOGLE_CALLBACK, params={"code": "abc"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_state_older_than_ten_minutes_is_refused(
    client: httpx.AsyncClient,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    google_clock: MovableClock,
) -> None:
    sub = oidc_provider.add_user(email="slow@example.com", email_verified=True)
    trip = await start_and_authorize(client, oidc_provider, sub)
    google_clock.advance(10 * 60 + 1)

    response = await client.get(trip.callback_url)
    assert response.status_code == 400
    assert response.json()["code"] == "oauth_state_expired"
    assert oidc_provider.recorder.of("/oauth2/token") == []


async def test_nonce_mismatch_in_the_callback_is_refused_and_uses_up_the_state(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    sub = oidc_provider.add_user(email="nonce@example.com", email_verified=True)
    trip = await start_and_authorize(client, oidc_provider, sub)
    # The provider put the nonce of the authorization request into the ID token; IronLog now
    # expects another one, as if the token had been injected from another sign-in.
    await db.execute(update(OidcLogin).values(nonce="another-nonce"))
    await db.commit()

    response = await client.get(trip.callback_url)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_id_token"
    assert "nonce" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"
    assert await pending_logins(db) == 0
    assert (await client.get(trip.callback_url)).json()["code"] == "invalid_oauth_state"


async def test_denied_authorization_is_401(
    client: httpx.AsyncClient, db: AsyncSession, configure_google: ConfigureGoogle
) -> None:
    state = query_of((await client.get(GOOGLE_LOGIN)).headers["location"])["state"]
    response = await client.get(GOOGLE_CALLBACK, params={"state": state, "error": "access_denied"})
    assert response.status_code == 401
    assert response.json()["code"] == "google_authorization_failed"
    assert "access_denied" in response.json()["detail"]
    assert await pending_logins(db) == 0


# Accounts: creating and linking


async def test_new_identity_with_unverified_email_gets_an_unverified_account(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="unverified@example.com", email_verified=False)
    response = await sign_in(client, oidc_provider, sub)
    assert response.status_code == 200
    assert response.json()["user"]["email_verified"] is False
    assert response.json()["user"]["name"] == "unverified"


async def test_unverified_email_of_an_existing_account_is_not_linked(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    sub = oidc_provider.add_user(email=user.email, email_verified=False)
    response = await sign_in(client, oidc_provider, sub)
    assert response.status_code == 409
    assert response.json()["code"] == "google_link_required"
    stored = await stored_user(db, user.email)
    assert stored.google_subject is None
    assert await db.scalar(select(func.count()).select_from(User)) == 1


async def test_verified_email_never_links_the_existing_account(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    """The attack: someone registers the victim's email with a password first; when the victim
    later signs in with Google (email verified), the account must not become theirs."""
    squatter = await register_user(client, email="victim@example.com", password="squatter pw")
    sub = oidc_provider.add_user(email="Victim@Example.com", email_verified=True)
    response = await sign_in(client, oidc_provider, sub)
    assert response.status_code == 409
    assert response.json()["code"] == "google_link_required"
    stored = await stored_user(db, squatter.email)
    assert (stored.google_subject, stored.email_verified) == (None, False)
    assert await db.scalar(select(func.count()).select_from(User)) == 1
    # The ID-token route refuses the same way.
    token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    response = await client.post("/api/v1/auth/google/token", json={"id_token": token})
    assert response.status_code == 409
    assert response.json()["code"] == "google_link_required"
    assert (await stored_user(db, squatter.email)).google_subject is None
    # The owner of the password links explicitly; then Google signs in to the account.
    linked = await client.post(
        "/api/v1/auth/google/link", json={"id_token": token}, headers=squatter.headers
    )
    assert linked.status_code == 200, linked.text
    assert (await sign_in(client, oidc_provider, sub)).json()["user"]["id"] == str(squatter.id)


async def test_email_of_an_account_linked_to_another_google_identity_is_not_relinked(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    first = oidc_provider.add_user(email="shared@example.com", email_verified=True)
    assert (await sign_in(client, oidc_provider, first)).status_code == 200
    second = oidc_provider.add_user(email="shared@example.com", email_verified=True)
    response = await sign_in(client, oidc_provider, second)
    assert response.status_code == 409
    assert response.json()["code"] == "google_link_required"


async def test_signed_in_user_links_google_through_the_browser_flow(
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
) -> None:
    sub = oidc_provider.add_user(email="personal@gmail.example", email_verified=True)
    trip = await start_and_authorize(client, oidc_provider, sub, user.headers)
    login = await db.scalar(select(OidcLogin))
    assert login is not None and login.link_user_id == user.id

    response = await client.get(trip.callback_url, headers=user.headers)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == str(user.id)
    assert response.json()["user"]["google_linked"] is True
    # Google's email differs from the account's: the account's email stays unverified.
    assert response.json()["user"]["email_verified"] is False
    # From now on Google sign-in reaches this account.
    again = await sign_in(client, oidc_provider, sub)
    assert again.json()["user"]["id"] == str(user.id)


async def test_link_flow_cannot_be_finished_without_the_account_token(
    *,
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
    user: UserHandle,
    other_user: UserHandle,
) -> None:
    """Otherwise a link URL started by one person could attach another person's Google."""
    sub = oidc_provider.add_user(email="victim@example.com", email_verified=True)
    trip = await start_and_authorize(client, oidc_provider, sub, user.headers)

    for headers in (None, other_user.headers):
        response = await client.get(trip.callback_url, headers=headers)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_oauth_state"
    assert (await stored_user(db, user.email)).google_subject is None
    assert await db.scalar(select(func.count()).select_from(User)) == 2


async def test_login_with_a_bad_bearer_token_is_401(
    client: httpx.AsyncClient, configure_google: ConfigureGoogle
) -> None:
    response = await client.get(GOOGLE_LOGIN, headers=bearer("not-a-token"))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_password_registration_with_a_google_accounts_email_is_taken(
    client: httpx.AsyncClient, oidc_provider: LocalProvider, configure_google: ConfigureGoogle
) -> None:
    sub = oidc_provider.add_user(email="taken@example.com", email_verified=True)
    assert (await sign_in(client, oidc_provider, sub)).status_code == 200
    response = await client.post(
        "/api/v1/auth/register",
        json={"email": "taken@example.com", "password": "correct horse", "name": "Twin"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    # and the Google account still signs in without a password
    assert (await sign_in(client, oidc_provider, sub)).status_code == 200
    await register_user(client)  # other emails are unaffected


async def test_google_login_starts_are_limited_per_client_address(
    client: httpx.AsyncClient,
    db: AsyncSession,
    configure_google: ConfigureGoogle,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each start stores a pending sign-in: an anonymous client cannot fill the table."""
    now = utc_now()
    monkeypatch.setattr("ironlog.auth.throttle.utc_now", lambda: now)
    configure_google(google_login_max_per_client=3)
    for _ in range(3):
        assert (await client.get(GOOGLE_LOGIN)).status_code == 302
    refused = await client.get(GOOGLE_LOGIN)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.headers["retry-after"] == "600"
    assert await pending_logins(db) == 3
