"""Throttling of password checks and registrations, counted in the database.

Every check of a password (login, password change) first *reserves* the attempt: in a short
transaction of its own it counts the recent failures of the email and of the client address and,
below the limits, records this attempt as a failure, before the password is checked. The check
(argon2id, tens of milliseconds) then runs outside any transaction, and a success takes its
reservation back. Reserving is atomic: on PostgreSQL a transaction-scoped advisory lock per
subject serializes concurrent reservations for it; on SQLite every write transaction holds the
write lock (BEGIN IMMEDIATE). So twenty concurrent wrong passwords for one email check exactly
`login_max_failures` of them; the others are 429 without a check.

After `login_max_failures` failures for one email within `login_window_seconds`, every attempt
for that email is 429 until the oldest of those failures leaves the window; the same for a client
address with `login_ip_max_failures`. A throttled attempt is not counted. Registrations are
counted per client address the same way (`register_max_per_client`), and never taken back;
password reset attempts per client address (`login_ip_max_failures`), taken back on success.
"""

import math
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ironlog.auth import repository
from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from ironlog.core.db import session_scope
from ironlog.core.errors import RateLimited

# (scope, subject, limit): one counter.
Limit = tuple[str, str, int]


@dataclass(frozen=True)
class Reservation:
    """The failure rows recorded ahead of a password check, to take back if it succeeds."""

    ids: tuple[uuid.UUID, ...]


def _password_limits(settings: Settings, email: str, client: str | None) -> list[Limit]:
    limits = [("email", email, settings.login_max_failures)]
    if client:
        limits.append(("client", client, settings.login_ip_max_failures))
    return limits


async def reserve_password_check(
    session: AsyncSession, settings: Settings, *, email: str, client: str | None
) -> Reservation:
    """Count a password check as a failure before it runs, in `session`'s transaction (commit
    it before checking, or let the check's failure persist it); 429 at a limit."""
    limits = _password_limits(settings, email, client)
    return await _reserve(session, limits, settings.login_window_seconds, "failed sign-ins")


async def reserve_registration(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, client: str | None
) -> None:
    """Count a registration of this client address, in a transaction of its own; 429 past
    `register_max_per_client`."""
    if client:
        limits = [("register", client, settings.register_max_per_client)]
        async with session_scope(sessionmaker) as session:
            await _reserve(session, limits, settings.register_window_seconds, "registrations")


async def reserve_google_login(
    session: AsyncSession, settings: Settings, *, client: str | None
) -> None:
    """Count a `GET /google/login` (which stores a pending sign-in) of this client address, in
    the request's transaction; 429 past `google_login_max_per_client`."""
    if client:
        limits = [("google", client, settings.google_login_max_per_client)]
        await _reserve(session, limits, settings.google_login_window_seconds, "Google sign-ins")


async def reserve_password_reset(
    session: AsyncSession, settings: Settings, *, client: str | None
) -> Reservation:
    """Count a password reset attempt of this client address as a failure before its token is
    checked (commit it first); 429 past `login_ip_max_failures`. A success takes it back."""
    if not client:
        return Reservation(())
    limits = [("reset", client, settings.login_ip_max_failures)]
    return await _reserve(session, limits, settings.login_window_seconds, "password resets")


async def _reserve(
    session: AsyncSession, limits: list[Limit], window_seconds: int, what: str
) -> Reservation:
    now = utc_now()
    window = timedelta(seconds=window_seconds)
    await repository.lock_subjects(session, [(scope, subject) for scope, subject, _ in limits])
    for scope, subject, limit in limits:
        recent = await repository.recent_failures(
            session, scope=scope, subject=subject, since=now - window, limit=limit
        )
        if len(recent) >= limit:
            unlocked_at = recent[-1] + window
            retry_after = max(1, math.ceil((unlocked_at - now).total_seconds()))
            raise RateLimited(
                f"Too many {what}; try again in {retry_after} seconds.", retry_after=retry_after
            )
    for scope, subject, _ in limits:
        await repository.delete_failures(session, scope=scope, subject=subject, before=now - window)
    ids = await repository.add_failures(
        session, [(scope, subject) for scope, subject, _ in limits], now
    )
    return Reservation(ids)


async def take_back(session: AsyncSession, reservation: Reservation) -> None:
    await repository.delete_failure_rows(session, reservation.ids)


async def succeeded(session: AsyncSession, reservation: Reservation, *, email: str) -> None:
    """The password was right: take the reservation back and clear the email's failures."""
    await repository.delete_failure_rows(session, reservation.ids)
    await repository.delete_failures(session, scope="email", subject=email)
