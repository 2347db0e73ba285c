"""The `/admin` routes, registration modes, disabled accounts and password reset links."""

import hashlib
import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.models import Invite, PasswordReset, User
from tests.conftest import UserHandle, register_user

ADMIN = "/api/v1/admin"
REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
RESET = "/api/v1/auth/password-reset"
ME = "/api/v1/users/me"

Configure = Callable[..., None]


def _sign_up(email: str, invite: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"email": email, "password": "friend horse", "name": "Friend"}
    if invite is not None:
        body["invite"] = invite
    return body


def _token_of(url: str, key: str) -> str:
    return url.split(f"?{key}=", 1)[1]


async def test_first_account_of_a_server_without_admin_becomes_admin(
    client: httpx.AsyncClient, db: AsyncSession
) -> None:
    await db.execute(update(User).values(is_admin=False))
    await db.commit()
    first = await register_user(client)
    second = await register_user(client)
    assert (await client.get(ME, headers=first.headers)).json()["is_admin"] is True
    assert (await client.get(ME, headers=second.headers)).json()["is_admin"] is False


async def test_admin_routes_need_an_admin(
    client: httpx.AsyncClient, admin: UserHandle, member: UserHandle
) -> None:
    invite = (await client.post(f"{ADMIN}/invites", headers=admin.headers)).json()
    calls = [
        ("GET", f"{ADMIN}/users"),
        ("POST", f"{ADMIN}/users/{admin.id}/disable"),
        ("POST", f"{ADMIN}/users/{admin.id}/enable"),
        ("POST", f"{ADMIN}/users/{member.id}/promote"),
        ("POST", f"{ADMIN}/users/{admin.id}/demote"),
        ("POST", f"{ADMIN}/users/{admin.id}/reset-link"),
        ("POST", f"{ADMIN}/invites"),
        ("GET", f"{ADMIN}/invites"),
        ("DELETE", f"{ADMIN}/invites/{invite['id']}"),
    ]
    for method, path in calls:
        forbidden = await client.request(method, path, headers=member.headers)
        assert forbidden.status_code == 403, (path, forbidden.text)
        assert forbidden.json()["code"] == "forbidden"
        anonymous = await client.request(method, path)
        assert anonymous.status_code == 401, path
    assert (await client.get(ME, headers=member.headers)).json()["is_admin"] is False
    listed = (await client.get(f"{ADMIN}/invites", headers=admin.headers)).json()
    assert [item["status"] for item in listed["items"]] == ["pending"]


async def test_list_users_is_paged(
    client: httpx.AsyncClient, admin: UserHandle, member: UserHandle, db: AsyncSession
) -> None:
    total = await db.scalar(select(func.count()).select_from(User))
    response = await client.get(f"{ADMIN}/users", params={"size": 1}, headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == total and body["pages"] == total and len(body["items"]) == 1
    assert set(body["items"][0]) == {
        "id",
        "email",
        "name",
        "is_admin",
        "disabled_at",
        "has_password",
        "google_linked",
        "created_at",
    }
    everyone: dict[str, dict[str, object]] = {}
    for page in range(1, int(total or 0) + 1):
        listed = await client.get(
            f"{ADMIN}/users", params={"size": 1, "page": page}, headers=admin.headers
        )
        everyone.update({item["email"]: item for item in listed.json()["items"]})
    assert everyone[member.email]["is_admin"] is False
    assert everyone[admin.email]["is_admin"] is True


async def test_disabling_ends_every_session_and_refuses_sign_in(
    client: httpx.AsyncClient, admin: UserHandle, member: UserHandle
) -> None:
    second = await client.post(LOGIN, json={"email": member.email, "password": member.password})
    second_refresh = second.json()["refresh_token"]

    response = await client.post(f"{ADMIN}/users/{member.id}/disable", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json()["disabled_at"] is not None

    assert (await client.get(ME, headers=member.headers)).status_code == 401
    for refresh_token in (member.refresh_token, second_refresh):
        refreshed = await client.post(REFRESH, json={"refresh_token": refresh_token})
        assert refreshed.status_code == 401
    signin = await client.post(LOGIN, json={"email": member.email, "password": member.password})
    assert signin.status_code == 403 and signin.json()["code"] == "account_disabled"
    wrong = await client.post(LOGIN, json={"email": member.email, "password": "wrong password"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"

    enabled = await client.post(f"{ADMIN}/users/{member.id}/enable", headers=admin.headers)
    assert enabled.status_code == 200 and enabled.json()["disabled_at"] is None
    again = await client.post(LOGIN, json={"email": member.email, "password": member.password})
    assert again.status_code == 200, again.text


async def test_the_last_enabled_admin_stays(
    client: httpx.AsyncClient, admin: UserHandle, member: UserHandle, db: AsyncSession
) -> None:
    await db.execute(update(User).where(User.id != admin.id).values(is_admin=False))
    await db.commit()
    for action in ("disable", "demote"):
        refused = await client.post(f"{ADMIN}/users/{admin.id}/{action}", headers=admin.headers)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "last_admin"
    assert (await client.get(ME, headers=admin.headers)).json()["is_admin"] is True

    promoted = await client.post(f"{ADMIN}/users/{member.id}/promote", headers=admin.headers)
    assert promoted.status_code == 200 and promoted.json()["is_admin"] is True
    demoted = await client.post(f"{ADMIN}/users/{admin.id}/demote", headers=admin.headers)
    assert demoted.status_code == 200 and demoted.json()["is_admin"] is False
    # The former admin's token is still valid, but no longer an admin's.
    assert (await client.get(f"{ADMIN}/users", headers=admin.headers)).status_code == 403
    # A disabled admin does not count as the one that stays.
    member_headers = member.headers
    await client.post(f"{ADMIN}/users/{admin.id}/promote", headers=member_headers)
    await client.post(f"{ADMIN}/users/{admin.id}/disable", headers=member_headers)
    refused = await client.post(f"{ADMIN}/users/{member.id}/demote", headers=member_headers)
    assert refused.status_code == 409


async def test_unknown_ids_are_404(client: httpx.AsyncClient, admin: UserHandle) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    for path in (f"users/{unknown}/disable", f"users/{unknown}/reset-link"):
        response = await client.post(f"{ADMIN}/{path}", headers=admin.headers)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = await client.delete(f"{ADMIN}/invites/{unknown}", headers=admin.headers)
    assert response.status_code == 404


async def test_registration_modes(
    client: httpx.AsyncClient, admin: UserHandle, configure: Configure
) -> None:
    assert (await client.get("/api/v1/auth/config")).json()["registration"] == "open"

    configure(registration="closed")
    assert (await client.get("/api/v1/auth/config")).json()["registration"] == "closed"
    closed = await client.post(REGISTER, json=_sign_up("closed@example.com"))
    assert closed.status_code == 403 and closed.json()["code"] == "registration_closed"

    configure(registration="invite")
    assert (await client.get("/api/v1/auth/config")).json()["registration"] == "invite"
    for invite in (None, "not-an-invite"):
        refused = await client.post(REGISTER, json=_sign_up("friend@example.com", invite))
        assert refused.status_code == 403 and refused.json()["code"] == "invite_invalid"

    created = await client.post(f"{ADMIN}/invites", headers=admin.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["url"] == f"http://testserver/#/signup?invite={body['token']}"
    welcomed = await client.post(REGISTER, json=_sign_up("friend@example.com", body["token"]))
    assert welcomed.status_code == 201, welcomed.text
    assert welcomed.json()["user"]["is_admin"] is False
    reused = await client.post(REGISTER, json=_sign_up("friend2@example.com", body["token"]))
    assert reused.status_code == 403 and reused.json()["code"] == "invite_invalid"

    listed = (await client.get(f"{ADMIN}/invites", headers=admin.headers)).json()["items"]
    assert listed[0]["status"] == "used" and listed[0]["used_by_email"] == "friend@example.com"
    assert "token" not in listed[0]


async def test_invites_are_single_use_expire_and_can_be_revoked(
    client: httpx.AsyncClient, admin: UserHandle, configure: Configure, db: AsyncSession
) -> None:
    configure(registration="invite", public_url="https://lift.example.com/")
    first = (await client.post(f"{ADMIN}/invites", headers=admin.headers)).json()
    second = (await client.post(f"{ADMIN}/invites", headers=admin.headers)).json()
    assert first["url"] == f"https://lift.example.com/#/signup?invite={first['token']}"
    stored = await db.scalar(select(Invite).where(Invite.id == uuid.UUID(first["id"])))
    assert stored is not None
    assert stored.token_hash == hashlib.sha256(first["token"].encode()).hexdigest()

    # Taken email: the invite is not used up.
    taken = await client.post(REGISTER, json=_sign_up(admin.email, first["token"]))
    assert taken.status_code == 409

    revoked = await client.delete(f"{ADMIN}/invites/{first['id']}", headers=admin.headers)
    assert revoked.status_code == 204
    refused = await client.post(REGISTER, json=_sign_up("late@example.com", first["token"]))
    assert refused.json()["code"] == "invite_invalid"

    await db.execute(
        update(Invite)
        .where(Invite.id == uuid.UUID(second["id"]))
        .values(expires_at=utc_now() - timedelta(seconds=1))
    )
    await db.commit()
    listed = (await client.get(f"{ADMIN}/invites", headers=admin.headers)).json()["items"]
    assert [item["status"] for item in listed] == ["expired"]
    expired = await client.post(REGISTER, json=_sign_up("late@example.com", second["token"]))
    assert expired.status_code == 403 and expired.json()["code"] == "invite_invalid"
    count = await db.scalar(select(func.count()).where(User.email == "late@example.com"))
    assert count == 0


async def test_open_registration_ignores_invites(
    client: httpx.AsyncClient, admin: UserHandle
) -> None:
    response = await client.post(REGISTER, json=_sign_up("open@example.com", "anything"))
    assert response.status_code == 201, response.text


async def test_reset_link_sets_a_new_password_once(
    client: httpx.AsyncClient, admin: UserHandle, member: UserHandle, db: AsyncSession
) -> None:
    made = await client.post(f"{ADMIN}/users/{member.id}/reset-link", headers=admin.headers)
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith("http://testserver/#/reset-password?token=")
    token = _token_of(url, "token")
    stored = await db.scalar(select(PasswordReset).where(PasswordReset.user_id == member.id))
    assert stored is not None and stored.token_hash == hashlib.sha256(token.encode()).hexdigest()

    short = await client.post(RESET, json={"token": token, "new_password": "short"})
    assert short.status_code == 422
    done = await client.post(RESET, json={"token": token, "new_password": "brand new horse"})
    assert done.status_code == 204, done.text

    assert (await client.get(ME, headers=member.headers)).status_code == 401
    old = await client.post(LOGIN, json={"email": member.email, "password": member.password})
    assert old.status_code == 401
    new = await client.post(LOGIN, json={"email": member.email, "password": "brand new horse"})
    assert new.status_code == 200, new.text

    again = await client.post(RESET, json={"token": token, "new_password": "another horse"})
    assert again.status_code == 400 and again.json()["code"] == "reset_token_invalid"


async def test_reset_links_expire_and_replace_each_other(
    client: httpx.AsyncClient, admin: UserHandle, member: UserHandle, db: AsyncSession
) -> None:
    path = f"{ADMIN}/users/{member.id}/reset-link"
    first = _token_of((await client.post(path, headers=admin.headers)).json()["url"], "token")
    second = _token_of((await client.post(path, headers=admin.headers)).json()["url"], "token")
    replaced = await client.post(RESET, json={"token": first, "new_password": "brand new horse"})
    assert replaced.status_code == 400 and replaced.json()["code"] == "reset_token_invalid"

    await db.execute(update(PasswordReset).values(expires_at=utc_now() - timedelta(seconds=1)))
    await db.commit()
    expired = await client.post(RESET, json={"token": second, "new_password": "brand new horse"})
    assert expired.status_code == 400 and expired.json()["code"] == "reset_token_invalid"
    old = await client.post(LOGIN, json={"email": member.email, "password": member.password})
    assert old.status_code == 200


async def test_password_reset_attempts_are_throttled(
    client: httpx.AsyncClient, configure: Configure
) -> None:
    configure(login_ip_max_failures=3)
    for _ in range(3):
        bad = await client.post(RESET, json={"token": "guess", "new_password": "brand new horse"})
        assert bad.status_code == 400
    throttled = await client.post(RESET, json={"token": "guess", "new_password": "brand new h"})
    assert throttled.status_code == 429 and "retry-after" in throttled.headers
