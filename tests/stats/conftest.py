from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle
from tests.stats.history import History

# A Thursday: the current ISO week starts on Monday 2026-11-23.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


class FrozenClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Statistics' "now" (which decides the current week) frozen at NOW in every test here."""
    frozen = FrozenClock(NOW)
    monkeypatch.setattr("ironlog.stats.service.utc_now", frozen)
    return frozen


@pytest.fixture
def history(db: AsyncSession, user: UserHandle) -> History:
    return History(db, user.id)
