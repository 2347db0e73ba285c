import time
import uuid
from datetime import timedelta

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.config import Settings
from ironlog.core.security import PasswordHasher
from ironlog.models import AuthSession, RefreshToken, User
from tests.conftest import UserHandle, register_user

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
LOGOUT_ALL = "/api/v1/auth/logout-all"
ME = "/api/v1/users/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(LOGIN, json={"email": email, "password": password})


async def test_register_returns_user_and_tokens(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    response = await client.post(
        REGISTER, json={"email": " Ada@Example.COM ", "password": "correct horse", "name": " Ada "}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["name"] == "Ada"
    assert body["user"]["has_password"] is True
    assert body["user"]["google_linked"] is False
    assert body["user"]["email_verified"] is False
    assert body["tokens"]["token_type"] == "bearer"
    assert body["tokens"]["expires_in"] == 900
    stored = await db.scalar(select(User).where(User.email == "ada@example.com"))
    assert stored is not None
    assert stored.password_hash is not None and stored.password_hash.startswith("$argon2id$")


async def test_register_stores_only_refresh_token_hash(
    client: httpx.AsyncClient, db: AsyncSession, user: UserHandle
) -> None:
    hashes = list(await db.scalars(select(RefreshToken.token_hash)))
    assert user.refresh_token not in hashes
    assert len(hashes) == 1 and len(hashes[0]) == 64


async def test_register_duplicate_email_is_409_case_insensitively(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(
        REGISTER, json={"email": user.email.upper(), "password": "another one", "name": "Twin"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "email_taken"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": "correct horse", "name": "A"}, "email"),
        ({"email": "a@example.com", "password": "short", "name": "A"}, "password"),
        ({"email": "a@example.com", "password": "x" * 129, "name": "A"}, "password"),
        ({"email": "a@example.com", "password": "correct horse", "name": "   "}, "name"),
        ({"email": "a@example.com", "password": "correct horse", "name": "n" * 101}, "name"),
        ({"email": "a@example.com", "password": 12345678, "name": "A"}, "password"),
    ],
)
async def test_register_rejects_invalid_input_and_stores_nothing(
    client: httpx.AsyncClient, db: AsyncSession, payload: dict[str, object], field: str
) -> None:
    response = await client.post(REGISTER, json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(error["loc"][-1] == field for error in body["errors"])
    assert await db.scalar(select(func.count()).select_from(User)) == 0


async def test_register_refuses_unknown_fields(client: httpx.AsyncClient) -> None:
    response = await client.post(
        REGISTER,
        json={
            "email": "a@example.com",
            "password": "correct horse",
            "name": "A",
            "id": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 422


async def test_password_is_not_trimmed(client: httpx.AsyncClient) -> None:
    handle = await register_user(client, password="  spaced out  ")
    assert (await login(client, handle.email, "  spaced out  ")).status_code == 200
    assert (await login(client, handle.email, "spaced out")).status_code == 401


async def test_login_with_json_returns_tokens(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await login(client, user.email.upper(), user.password)
    assert response.status_code == 200
    tokens = response.json()
    me = await client.get(ME, headers=bearer(tokens["access_token"]))
    assert me.status_code == 200 and me.json()["email"] == user.email


async def test_login_with_oauth2_form_returns_tokens(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    response = await client.post(
        LOGIN, data={"username": user.email, "password": user.password, "grant_type": "password"}
    )
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


async def test_wrong_password_and_unknown_email_get_the_same_401(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    wrong_password = await login(client, user.email, "not the password")
    unknown_email = await login(client, "nobody@example.com", "not the password")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    assert wrong_password.json() == unknown_email.json()
    assert wrong_password.json()["code"] == "invalid_credentials"


async def test_login_rejects_other_content_types(client: httpx.AsyncClient) -> None:
    response = await client.post(LOGIN, content=b"email=a", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


async def test_login_with_broken_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        LOGIN, content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


async def test_refresh_rotates_the_token(client: httpx.AsyncClient, user: UserHandle) -> None:
    response = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert response.status_code == 200
    new_tokens = response.json()
    assert new_tokens["refresh_token"] != user.refresh_token
    assert (await client.get(ME, headers=bearer(new_tokens["access_token"]))).status_code == 200
    again = await client.post(REFRESH, json={"refresh_token": new_tokens["refresh_token"]})
    assert again.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    rotated = (await client.post(REFRESH, json={"refresh_token": user.refresh_token})).json()

    reuse = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert reuse.status_code == 401
    assert reuse.json()["code"] == "refresh_token_reused"

    # The newest token of the family and every access token of the session die too.
    successor = await client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]})
    assert successor.status_code == 401
    assert successor.json()["code"] == "invalid_refresh_token"
    for token in (user.access_token, rotated["access_token"]):
        assert (await client.get(ME, headers=bearer(token))).status_code == 401
    revoked = await db.scalar(select(AuthSession.revoked_at).where(AuthSession.user_id == user.id))
    assert revoked is not None


async def test_refresh_with_unknown_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(REFRESH, json={"refresh_token": "no-such-token"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_refresh_token"


async def test_expired_refresh_token_is_refused(
    client: httpx.AsyncClient, user: UserHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ironlog.core import clock

    real_now = clock.utc_now()
    monkeypatch.setattr("ironlog.auth.service.utc_now", lambda: real_now + timedelta(days=31))
    response = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_refresh_token"


async def test_logout_revokes_the_session_at_once(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    other_session = (await login(client, user.email, user.password)).json()
    response = await client.post(LOGOUT, json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    assert (await client.get(ME, headers=user.headers)).status_code == 401
    refresh = await client.post(REFRESH, json={"refresh_token": user.refresh_token})
    assert refresh.json()["code"] == "invalid_refresh_token"
    # Another session of the same user is untouched.
    assert (await client.get(ME, headers=bearer(other_session["access_token"]))).status_code == 200


async def test_logout_with_unknown_token_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(LOGOUT, json={"refresh_token": "never-issued"})
    assert response.status_code == 204


async def test_logout_all_revokes_every_session(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle
) -> None:
    second = (await login(client, user.email, user.password)).json()
    response = await client.post(LOGOUT_ALL, headers=user.headers)
    assert response.status_code == 204
    for token in (user.access_token, second["access_token"]):
        assert (await client.get(ME, headers=bearer(token))).status_code == 401
    for refresh_token in (user.refresh_token, second["refresh_token"]):
        assert (
            await client.post(REFRESH, json={"refresh_token": refresh_token})
        ).status_code == 401
    assert (await client.get(ME, headers=other_user.headers)).status_code == 200


async def test_logout_all_requires_a_token(client: httpx.AsyncClient) -> None:
    response = await client.post(LOGOUT_ALL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def _forge(settings: Settings, user: UserHandle, **changes: object) -> str:
    claims = jwt.decode(
        user.access_token, options={"verify_signature": False}, algorithms=["HS256"]
    )
    claims.update(changes)
    return jwt.encode(claims, settings.signing_key, algorithm="HS256")


async def test_access_token_has_the_documented_claims(settings: Settings, user: UserHandle) -> None:
    claims = jwt.decode(
        user.access_token,
        settings.signing_key,
        algorithms=["HS256"],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    assert set(claims) == {"sub", "sid", "exp", "iat", "iss", "aud", "jti"}
    assert claims["sub"] == str(user.id)
    assert claims["exp"] - claims["iat"] == 900


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "someone-else"},
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 60},
        {"sub": str(uuid.uuid4())},
        {"sid": str(uuid.uuid4())},
    ],
    ids=["audience", "issuer", "expired", "unknown-user", "unknown-session"],
)
async def test_tampered_tokens_are_refused(
    client: httpx.AsyncClient, settings: Settings, user: UserHandle, changes: dict[str, object]
) -> None:
    response = await client.get(ME, headers=bearer(_forge(settings, user, **changes)))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["code"] == "not_authenticated"


async def test_token_without_required_claim_is_refused(
    client: httpx.AsyncClient, settings: Settings, user: UserHandle
) -> None:
    claims = jwt.decode(user.access_token, options={"verify_signature": False})
    del claims["jti"]
    token = jwt.encode(claims, settings.signing_key, algorithm="HS256")
    assert (await client.get(ME, headers=bearer(token))).status_code == 401


async def test_unsigned_and_foreign_algorithm_tokens_are_refused(
    client: httpx.AsyncClient, user: UserHandle, settings: Settings
) -> None:
    claims = jwt.decode(user.access_token, options={"verify_signature": False})
    unsigned = jwt.encode(claims, key=None, algorithm="none")
    other_algorithm = jwt.encode(claims, settings.signing_key + "!" * 32, algorithm="HS512")
    wrong_key = jwt.encode(claims, "another-secret-" + "y" * 32, algorithm="HS256")
    signature_flipped = user.access_token[:-2] + ("AA" if user.access_token[-2:] != "AA" else "BB")
    for token in (unsigned, other_algorithm, wrong_key, signature_flipped, "garbage"):
        assert (await client.get(ME, headers=bearer(token))).status_code == 401


async def test_missing_and_malformed_authorization_is_401(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = await client.get(ME, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


async def test_login_rehashes_a_password_hashed_with_old_costs(
    client: httpx.AsyncClient, app: FastAPI, settings: Settings, db: AsyncSession
) -> None:
    handle = await register_user(client)
    old_hash = await db.scalar(select(User.password_hash).where(User.id == handle.id))
    stronger = settings.model_copy(update={"argon2_time_cost": settings.argon2_time_cost + 1})
    original_hasher = app.state.password_hasher
    app.state.password_hasher = PasswordHasher(stronger)
    try:
        assert (await login(client, handle.email, handle.password)).status_code == 200
    finally:
        app.state.password_hasher = original_hasher
    db.expire_all()
    new_hash = await db.scalar(select(User.password_hash).where(User.id == handle.id))
    assert new_hash != old_hash
    assert f"t={settings.argon2_time_cost + 1}" in (new_hash or "")
    assert (await login(client, handle.email, handle.password)).status_code == 200


async def test_one_email_normalisation_for_register_and_login(client: httpx.AsyncClient) -> None:
    """`josé` typed with a combining accent registers; any spelling of it signs in (NFC)."""
    decomposed = "Jose\u0301@Example.com"
    body = {"email": decomposed, "password": "password 1", "name": "José"}
    registered = await client.post("/api/v1/auth/register", json=body)
    assert registered.status_code == 201
    assert registered.json()["user"]["email"] == "jos\u00e9@example.com"
    for spelling in (
        decomposed,
        "jos\u00e9@example.com",
        "JOS\u00c9@EXAMPLE.COM",
        " jose\u0301@example.com ",
    ):
        login = await client.post(
            "/api/v1/auth/login", json={"email": spelling, "password": "password 1"}
        )
        assert login.status_code == 200, spelling
    again = {"email": "JOS\u00c9@example.com", "password": "password 2", "name": "Other"}
    taken = await client.post("/api/v1/auth/register", json=again)
    assert taken.status_code == 409
    assert taken.json()["code"] == "email_taken"
