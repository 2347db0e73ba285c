"""Login throttling: per email and per client address, counted in the database.

After `login_max_failures` failures for one email within `login_window_seconds`, every login for
that email is 429 until the oldest of those failures leaves the window; the same for a client
address with `login_ip_max_failures`. A throttled attempt is not counted as another failure.
"""

import math
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository
from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from ironlog.core.errors import RateLimited


def _limits(settings: Settings, email: str, client: str | None) -> list[tuple[str, str, int]]:
    limits = [("email", email, settings.login_max_failures)]
    if client:
        limits.append(("client", client, settings.login_ip_max_failures))
    return limits


async def ensure_allowed(
    session: AsyncSession, settings: Settings, *, email: str, client: str | None
) -> None:
    now = utc_now()
    window = timedelta(seconds=settings.login_window_seconds)
    for scope, subject, limit in _limits(settings, email, client):
        failures = await repository.recent_failures(
            session, scope=scope, subject=subject, since=now - window, limit=limit
        )
        if len(failures) >= limit:
            unlocked_at = failures[-1] + window
            retry_after = max(1, math.ceil((unlocked_at - now).total_seconds()))
            raise RateLimited(
                f"Too many failed logins; try again in {retry_after} seconds.",
                retry_after=retry_after,
            )


async def record_failure(
    session: AsyncSession, settings: Settings, *, email: str, client: str | None
) -> None:
    now = utc_now()
    expired = now - timedelta(seconds=settings.login_window_seconds)
    subjects = {scope: subject for scope, subject, _ in _limits(settings, email, client)}
    for scope, subject in subjects.items():
        await repository.delete_failures(session, scope=scope, subject=subject, before=expired)
    await repository.add_failures(session, subjects, now)


async def clear(session: AsyncSession, *, email: str) -> None:
    await repository.delete_failures(session, scope="email", subject=email)
