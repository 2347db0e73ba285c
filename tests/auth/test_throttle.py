import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from ironlog.models import LoginFailure
from tests.conftest import UserHandle

LOGIN = "/api/v1/auth/login"


class FrozenClock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock()
    monkeypatch.setattr("ironlog.auth.throttle.utc_now", frozen)
    return frozen


@pytest.fixture
def with_settings(app: FastAPI) -> Iterator[Callable[..., None]]:
    original: Settings = app.state.settings

    def apply(**changes: object) -> None:
        app.state.settings = original.model_copy(update=changes)

    yield apply
    app.state.settings = original


async def attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(LOGIN, json={"email": email, "password": password})


async def test_sixth_attempt_after_five_failures_is_429_even_with_right_password(
    client: httpx.AsyncClient, user: UserHandle, clock: FrozenClock
) -> None:
    for _ in range(5):
        assert (await attempt(client, user.email, "wrong password")).status_code == 401
        clock.advance(10)
    locked = await attempt(client, user.email, user.password)
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited"
    # The first failure was 50 s ago: the lock ends when it leaves the 900 s window.
    assert locked.headers["retry-after"] == "850"


async def test_lock_ends_with_the_window(
    client: httpx.AsyncClient, user: UserHandle, clock: FrozenClock
) -> None:
    for _ in range(5):
        await attempt(client, user.email, "wrong password")
    assert (await attempt(client, user.email, user.password)).status_code == 429
    clock.advance(901)
    assert (await attempt(client, user.email, user.password)).status_code == 200


async def test_throttled_attempts_are_not_counted(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, clock: FrozenClock
) -> None:
    for _ in range(5):
        await attempt(client, user.email, "wrong password")
    for _ in range(3):
        assert (await attempt(client, user.email, "wrong password")).status_code == 429
    count = await db.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.scope == "email")
    )
    assert count == 5


async def test_success_clears_the_email_failures(
    client: httpx.AsyncClient, user: UserHandle, clock: FrozenClock
) -> None:
    for _ in range(4):
        await attempt(client, user.email, "wrong password")
    assert (await attempt(client, user.email, user.password)).status_code == 200
    for _ in range(4):
        assert (await attempt(client, user.email, "wrong password")).status_code == 401
    assert (await attempt(client, user.email, user.password)).status_code == 200


async def test_unknown_emails_are_throttled_too(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    for _ in range(5):
        assert (await attempt(client, "ghost@example.com", "whatever1")).status_code == 401
    assert (await attempt(client, "ghost@example.com", "whatever1")).status_code == 429


async def test_other_emails_are_not_affected_by_one_lock(
    client: httpx.AsyncClient, user: UserHandle, other_user: UserHandle, clock: FrozenClock
) -> None:
    for _ in range(5):
        await attempt(client, user.email, "wrong password")
    assert (await attempt(client, other_user.email, other_user.password)).status_code == 200


async def test_client_address_is_throttled_across_emails(
    client: httpx.AsyncClient,
    user: UserHandle,
    clock: FrozenClock,
    with_settings: Callable[..., None],
) -> None:
    with_settings(login_ip_max_failures=3)
    for index in range(3):
        assert (await attempt(client, f"nobody{index}@example.com", "x" * 8)).status_code == 401
    response = await attempt(client, user.email, user.password)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) == 900


async def test_limits_are_settings(
    client: httpx.AsyncClient,
    user: UserHandle,
    clock: FrozenClock,
    with_settings: Callable[..., None],
) -> None:
    with_settings(login_max_failures=2, login_window_seconds=60)
    for _ in range(2):
        await attempt(client, user.email, "wrong password")
    response = await attempt(client, user.email, user.password)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    clock.advance(61)
    assert (await attempt(client, user.email, user.password)).status_code == 200


async def test_concurrent_wrong_passwords_check_only_the_limit(
    live_client: httpx.AsyncClient, settings: Settings, engine: AsyncEngine
) -> None:
    """The attack: 20 wrong passwords for one email at once. Each attempt is reserved (counted)
    atomically before its password is checked, so exactly 5 are checked; 15 are 429."""
    email = f"live-{uuid.uuid4().hex[:8]}@example.com"
    registered = await live_client.post(
        "/api/v1/auth/register", json={"email": email, "password": "right password", "name": "V"}
    )
    assert registered.status_code == 201
    try:
        responses = await asyncio.gather(
            *(attempt(live_client, email, f"guess number {n}") for n in range(20))
        )
        statuses = sorted(response.status_code for response in responses)
        assert statuses == [401] * settings.login_max_failures + [429] * 15
        async with engine.connect() as connection:
            failures = await connection.scalar(
                select(func.count())
                .select_from(LoginFailure)
                .where(LoginFailure.scope == "email", LoginFailure.subject == email)
            )
        assert failures == settings.login_max_failures
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(LoginFailure))


async def test_wrong_current_passwords_are_throttled_like_logins(
    client: httpx.AsyncClient, user: UserHandle, clock: FrozenClock
) -> None:
    """A stolen access token cannot guess the current password without limit."""
    change = "/api/v1/users/me/password"
    for number in range(5):
        body = {"current_password": f"guess {number}x", "new_password": "new password"}
        response = await client.post(change, json=body, headers=user.headers)
        assert response.status_code == 403
        assert response.json()["code"] == "invalid_credentials"
        clock.advance(1)
    right = {"current_password": user.password, "new_password": "new password"}
    locked = await client.post(change, json=right, headers=user.headers)
    assert locked.status_code == 429
    assert locked.headers["retry-after"] == "895"
    # The email is locked for logins too: the same counter.
    assert (await attempt(client, user.email, user.password)).status_code == 429
    clock.advance(900)
    assert (await client.post(change, json=right, headers=user.headers)).status_code == 204
    assert (await attempt(client, user.email, "new password")).status_code == 200


async def test_right_current_password_takes_its_reservation_back(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession, clock: FrozenClock
) -> None:
    body = {"current_password": user.password, "new_password": "new password"}
    change = "/api/v1/users/me/password"
    assert (await client.post(change, json=body, headers=user.headers)).status_code == 204
    checks = select(func.count()).select_from(LoginFailure).where(LoginFailure.scope != "register")
    assert await db.scalar(checks) == 0


async def test_registrations_are_limited_per_client_address(
    client: httpx.AsyncClient, clock: FrozenClock, with_settings: Callable[..., None]
) -> None:
    with_settings(register_max_per_client=2, register_window_seconds=3600)
    for number in range(2):
        body = {"email": f"new{number}@example.com", "password": "password 1", "name": "N"}
        assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
        clock.advance(60)
    body = {"email": "new2@example.com", "password": "password 1", "name": "N"}
    refused = await client.post("/api/v1/auth/register", json=body)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused.headers["retry-after"] == str(3600 - 120)
    clock.advance(3600 - 120)
    assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
