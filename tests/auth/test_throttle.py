from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

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
