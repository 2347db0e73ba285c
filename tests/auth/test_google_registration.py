"""Google sign-in and administration: no Google sign-up unless registration is open, and no
sign-in to a disabled account."""

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.models import User
from tests.auth.conftest import GOOGLE_CLIENT_ID, ConfigureGoogle
from tests.auth.google_helpers import GOOGLE_TOKEN
from tests.auth.oidc_provider import LocalProvider


async def test_google_sign_up_needs_open_registration(
    app: FastAPI,
    client: httpx.AsyncClient,
    db: AsyncSession,
    oidc_provider: LocalProvider,
    configure_google: ConfigureGoogle,
) -> None:
    sub = oidc_provider.add_user(email="newcomer@example.com", email_verified=True, name="New")
    for mode in ("closed", "invite"):
        configure_google(registration=mode)
        id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
        response = await client.post(GOOGLE_TOKEN, json={"id_token": id_token})
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "registration_closed"
        assert await db.scalar(select(User).where(User.google_subject == sub)) is None

    configure_google(registration="open")
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    created = await client.post(GOOGLE_TOKEN, json={"id_token": id_token})
    assert created.status_code == 200, created.text

    # An existing account still signs in with Google when registration is closed.
    configure_google(registration="closed")
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    again = await client.post(GOOGLE_TOKEN, json={"id_token": id_token})
    assert again.status_code == 200, again.text

    await db.execute(update(User).where(User.google_subject == sub).values(disabled_at=utc_now()))
    await db.commit()
    id_token = await oidc_provider.issue_id_token(sub, client_id=GOOGLE_CLIENT_ID)
    disabled = await client.post(GOOGLE_TOKEN, json={"id_token": id_token})
    assert disabled.status_code == 403 and disabled.json()["code"] == "account_disabled"
