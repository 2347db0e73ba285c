import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Exists, Row, Select, bindparam, delete, exists, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth.principal import ClaimedPrincipal
from ironlog.core.clock import utc_now
from ironlog.core.db import ReadSession, fetch_all
from ironlog.models import (
    AuthSession,
    Invite,
    LoginFailure,
    OidcLogin,
    PasswordReset,
    RefreshToken,
    User,
    UserPreferences,
)


async def get_user(session: ReadSession, user_id: uuid.UUID) -> User | None:
    user: User | None = await session.get(User, user_id)
    return user


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The account with this (normalised, lower-cased) email."""
    return await session.scalar(select(User).where(User.email == email))


async def admin_exists(session: AsyncSession) -> bool:
    """Whether any account is an administrator (disabled or not)."""
    found = await session.scalar(select(User.id).where(User.is_admin.is_(True)).limit(1))
    return found is not None


async def use_invite(
    session: AsyncSession, *, token_hash: str, user_id: uuid.UUID, now: datetime
) -> bool:
    """Mark the invite with this hash used by `user_id`: False when it is unknown, used or
    expired. One UPDATE guarded by `used_at IS NULL`, so of two registrations racing for one
    invite only one sees its row change."""
    result = await session.execute(
        update(Invite)
        .where(Invite.token_hash == token_hash, Invite.used_at.is_(None), Invite.expires_at > now)
        .values(used_at=now, used_by=user_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def take_password_reset(session: AsyncSession, token_hash: str) -> PasswordReset | None:
    """Consume the reset link with this hash: None when unknown or already consumed. As with
    `take_oidc_login`, only the request whose DELETE removes the row gets it."""
    reset = await session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash)
    )
    if reset is None:
        return None
    result = await session.execute(
        delete(PasswordReset)
        .where(PasswordReset.id == reset.id)
        .execution_options(synchronize_session=False)
    )
    return reset if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def set_password_hash(session: AsyncSession, user_id: uuid.UUID, password_hash: str) -> None:
    await session.execute(
        update(User).where(User.id == user_id).values(password_hash=password_hash)
    )


async def add_user(session: AsyncSession, user: User) -> User:
    session.add(user)
    await session.flush()
    return user


# Built once: every authenticated request runs it. (Deleting a user deletes its sessions.)
_ACTIVE_SESSION = select(AuthSession.id).where(
    AuthSession.id == bindparam("session_id"),
    AuthSession.user_id == bindparam("user_id"),
    AuthSession.revoked_at.is_(None),
)

# The same check as a condition, for read statements that fold it in and so cost one round trip
# with the session check included (`ClaimedPrincipal.params()` binds it). Uncorrelated: both
# databases evaluate it once per statement.
ACTIVE_SESSION: Exists = exists(_ACTIVE_SESSION)


async def session_is_active(
    session: ReadSession, *, user_id: uuid.UUID, session_id: uuid.UUID
) -> bool:
    """True while the session exists, belongs to the user and is not revoked."""
    rows = await fetch_all(session, _ACTIVE_SESSION, {"session_id": session_id, "user_id": user_id})
    return bool(rows)


async def fetch_page_checked(
    session: ReadSession,
    principal: ClaimedPrincipal,
    items: Select[*tuple[Any, ...]],
    count: Select[int],
) -> tuple[Sequence[Row[*tuple[Any, ...]]], int] | None:
    """A page and the total, the caller's session checked in the same statement: one round trip
    when the page has rows (each row ends with the total), and a second only when it is empty,
    to tell an ended session (None) from a page past the end or no items. `items` is the page's
    statement, filtered, ordered and limited; `count` counts what it filters."""
    total = count.correlate(None).scalar_subquery()
    params = principal.params()
    page = items.add_columns(total.label("total")).where(ACTIVE_SESSION)
    rows = (await session.execute(page, params)).all()
    if rows:
        return rows, int(rows[0][-1])
    [(total_only, active)] = (await session.execute(select(total, ACTIVE_SESSION), params)).all()
    return ([], int(total_only)) if active else None


_USER_CHECKED = select(User).where(User.id == bindparam("user_id"), ACTIVE_SESSION)


async def get_user_checked(session: ReadSession, principal: ClaimedPrincipal) -> User | None:
    """The principal's account, read with the session check: None when the session has ended."""
    user: User | None = await session.scalar(_USER_CHECKED, principal.params())
    return user


async def add_session(session: AsyncSession, user_id: uuid.UUID) -> AuthSession:
    auth_session = AuthSession(user_id=user_id)
    session.add(auth_session)
    await session.flush()
    return auth_session


async def add_refresh_token(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    family_id: uuid.UUID,
    token_hash: str,
    expires_at: datetime,
) -> RefreshToken:
    token = RefreshToken(
        user_id=user_id, family_id=family_id, token_hash=token_hash, expires_at=expires_at
    )
    session.add(token)
    await session.flush()
    return token


async def find_refresh_token(
    session: AsyncSession, token_hash: str
) -> tuple[RefreshToken, AuthSession] | None:
    statement = (
        select(RefreshToken, AuthSession)
        .join(AuthSession, AuthSession.id == RefreshToken.family_id)
        .where(RefreshToken.token_hash == token_hash)
    )
    row = (await session.execute(statement)).first()
    return (row[0], row[1]) if row else None


async def mark_replaced(session: AsyncSession, token_id: uuid.UUID, replaced_by: uuid.UUID) -> bool:
    """Retire a refresh token; False when a concurrent request retired it first."""
    now = utc_now()
    result = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == token_id, RefreshToken.replaced_by.is_(None))
        .values(replaced_by=replaced_by, revoked_at=now, updated_at=now)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def revoke_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    now = utc_now()
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, updated_at=now)
    )
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == session_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now, updated_at=now)
    )


async def revoke_user_sessions(
    session: AsyncSession, user_id: uuid.UUID, *, keep_session_id: uuid.UUID | None = None
) -> None:
    now = utc_now()
    sessions = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    tokens = update(RefreshToken).where(
        RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None)
    )
    if keep_session_id is not None:
        sessions = sessions.where(AuthSession.id != keep_session_id)
        tokens = tokens.where(RefreshToken.family_id != keep_session_id)
    await session.execute(sessions.values(revoked_at=now, updated_at=now))
    await session.execute(tokens.values(revoked_at=now, updated_at=now))


async def recent_failures(
    session: AsyncSession, *, scope: str, subject: str, since: datetime, limit: int
) -> list[datetime]:
    """The newest `limit` failure times of one subject since `since`, newest first."""
    statement = (
        select(LoginFailure.created_at)
        .where(
            LoginFailure.scope == scope,
            LoginFailure.subject == subject,
            LoginFailure.created_at > since,
        )
        .order_by(LoginFailure.created_at.desc())
        .limit(limit)
    )
    return list((await session.scalars(statement)).all())


async def lock_subjects(session: AsyncSession, subjects: list[tuple[str, str]]) -> None:
    """Serialize the transactions that count and record attempts for these subjects.

    PostgreSQL: a transaction-scoped advisory lock per subject, taken in a fixed order so two
    transactions never wait for each other crosswise. SQLite needs none: a write transaction
    holds the database's write lock from its BEGIN IMMEDIATE."""
    if (await session.connection()).dialect.name != "postgresql":
        return
    for scope, subject in sorted(subjects):
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"ironlog.throttle:{scope}:{subject}"},
        )


async def add_failures(
    session: AsyncSession, subjects: list[tuple[str, str]], at: datetime
) -> tuple[uuid.UUID, ...]:
    rows = [
        LoginFailure(scope=scope, subject=subject, created_at=at, updated_at=at)
        for scope, subject in subjects
    ]
    session.add_all(rows)
    await session.flush()
    return tuple(row.id for row in rows)


async def delete_failure_rows(session: AsyncSession, ids: tuple[uuid.UUID, ...]) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))


async def delete_failures(
    session: AsyncSession, *, scope: str, subject: str, before: datetime | None = None
) -> None:
    statement = delete(LoginFailure).where(
        LoginFailure.scope == scope, LoginFailure.subject == subject
    )
    if before is not None:
        statement = statement.where(LoginFailure.created_at <= before)
    await session.execute(statement)


async def get_user_by_google_identity(
    session: AsyncSession, *, issuer: str, subject: str
) -> User | None:
    return await session.scalar(
        select(User).where(User.google_issuer == issuer, User.google_subject == subject)
    )


async def add_oidc_login(session: AsyncSession, login: OidcLogin) -> OidcLogin:
    session.add(login)
    await session.flush()
    return login


async def take_oidc_login(session: AsyncSession, state_hash: str) -> OidcLogin | None:
    """Consume the sign-in with this state: None when unknown or already consumed.

    The row is read, then deleted by id; of two requests racing for it only the one whose
    DELETE removes the row gets it (the other's DELETE waits for the first and finds nothing).
    """
    login = await session.scalar(select(OidcLogin).where(OidcLogin.state_hash == state_hash))
    if login is None:
        return None
    result = await session.execute(
        delete(OidcLogin)
        .where(OidcLogin.id == login.id)
        .execution_options(synchronize_session=False)
    )
    return login if result.rowcount == 1 else None  # type: ignore[attr-defined]


async def delete_expired_oidc_logins(session: AsyncSession, now: datetime) -> None:
    await session.execute(
        delete(OidcLogin)
        .where(OidcLogin.expires_at <= now)
        .execution_options(synchronize_session=False)
    )


_CALENDAR_SETTINGS = select(UserPreferences.timezone, UserPreferences.week_starts_on).where(
    UserPreferences.user_id == bindparam("user_id")
)


def _preference(column: Any) -> Any:
    return select(column).where(UserPreferences.user_id == bindparam("user_id")).scalar_subquery()


# One row whatever the preferences: whether the caller's session is active, and the settings
# (NULL without a row).
_CALENDAR_SETTINGS_CHECKED = select(
    ACTIVE_SESSION,
    _preference(UserPreferences.timezone),
    _preference(UserPreferences.week_starts_on),
)


async def get_calendar_settings(session: ReadSession, user_id: uuid.UUID) -> tuple[str, str] | None:
    """The user's time zone and week start alone (no row: the defaults). Every statistics
    request reads them: a statement built once, sent straight to the driver."""
    rows = await fetch_all(session, _CALENDAR_SETTINGS, {"user_id": user_id})
    if not rows:
        return None
    timezone, week_starts_on = rows[0]
    return timezone, week_starts_on


async def get_calendar_settings_checked(
    session: ReadSession, principal: ClaimedPrincipal
) -> tuple[bool, tuple[str, str] | None]:
    """Whether the principal's session is active and, if so, the user's calendar settings (None:
    the defaults): `get_calendar_settings` with the session check, in one round trip."""
    [(active, timezone, week_starts_on)] = await fetch_all(
        session, _CALENDAR_SETTINGS_CHECKED, principal.params()
    )
    if not active or timezone is None:
        return bool(active), None
    return True, (timezone, week_starts_on)
