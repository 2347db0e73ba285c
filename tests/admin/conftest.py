from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.config import Settings
from ironlog.models import User
from tests.conftest import UserHandle


@pytest.fixture
def configure(app: FastAPI) -> Iterator[Callable[..., None]]:
    """Change the app's settings for one test (`configure(registration="invite")`)."""
    original: Settings = app.state.settings

    def change(**values: object) -> None:
        app.state.settings = original.model_copy(update=values)

    yield change
    app.state.settings = original


@pytest.fixture
async def admin(user: UserHandle, db: AsyncSession) -> UserHandle:
    """`user`, made administrator (whether or not it was the first account)."""
    await db.execute(update(User).where(User.id == user.id).values(is_admin=True))
    await db.commit()
    return user


@pytest.fixture
async def member(other_user: UserHandle, db: AsyncSession) -> UserHandle:
    """`other_user`, not an administrator."""
    await db.execute(update(User).where(User.id == other_user.id).values(is_admin=False))
    await db.commit()
    return other_user
