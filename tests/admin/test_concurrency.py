"""Single use under concurrency: of two requests presenting one invite or one reset link, one
wins. Against an app that commits for real (two transactions), on both databases."""

import asyncio
import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import delete

from ironlog.admin import service as admin_service
from ironlog.core.config import Settings
from ironlog.core.db import session_scope
from ironlog.main import close_databases, create_app
from ironlog.models import Invite, User
from tests.conftest import register_user


@pytest.fixture
async def invite_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"registration": "invite"}))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        async with app.state.engine.begin() as connection:
            await connection.execute(delete(User).where(User.email.startswith("live-")))
            await connection.execute(delete(Invite))
        await close_databases(app)


def _app(client: httpx.AsyncClient) -> object:
    return client._transport.app  # type: ignore[attr-defined]


async def test_one_invite_registers_one_account(
    invite_client: httpx.AsyncClient, settings: Settings
) -> None:
    app = _app(invite_client)
    async with session_scope(app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        invite = await admin_service.create_invite(session, settings, created_by=None, base_url="")
    assert invite.url == f"/#/signup?invite={invite.token}"
    bodies = [
        {
            "email": f"live-{secrets.token_hex(4)}@example.com",
            "password": "friend horse",
            "name": "Friend",
            "invite": invite.token,
        }
        for _ in range(2)
    ]
    responses = await asyncio.gather(
        *(invite_client.post("/api/v1/auth/register", json=body) for body in bodies)
    )
    assert sorted(response.status_code for response in responses) == [201, 403]


async def test_one_reset_link_sets_one_password(
    live_client: httpx.AsyncClient, settings: Settings
) -> None:
    account = await register_user(live_client, f"live-{secrets.token_hex(4)}@example.com")
    app = _app(live_client)
    async with session_scope(app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        user = await admin_service.get_user(session, account.id)
        link = await admin_service.create_reset_link(session, settings, user=user, base_url="")
    token = link.url.split("?token=", 1)[1]
    passwords = ["first new horse", "second new horse"]
    responses = await asyncio.gather(
        *(
            live_client.post(
                "/api/v1/auth/password-reset", json={"token": token, "new_password": password}
            )
            for password in passwords
        )
    )
    assert sorted(response.status_code for response in responses) == [204, 400]
    winner = passwords[[response.status_code for response in responses].index(204)]
    signin = await live_client.post(
        "/api/v1/auth/login", json={"email": account.email, "password": winner}
    )
    assert signin.status_code == 200
