import uuid

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository as auth_repository
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.core.db import ReadSession
from ironlog.models import Routine, User, UserPreferences, Workout
from ironlog.workouts import repository as workout_repository


async def delete_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Delete the user; the database cascades to everything the user owns.

    Workouts and routines go first: their executions and routine exercises may use the user's
    own exercises, and PostgreSQL checks that reference (ON DELETE NO ACTION, which keeps an
    exercise in use from being deleted) before the cascade from the user reaches them.
    """
    await session.execute(delete(Workout).where(workout_repository.owned_by(user_id)))
    await session.execute(delete(Routine).where(Routine.user_id == user_id))
    await session.execute(delete(User).where(User.id == user_id))


async def get_preferences(
    session: ReadSession, user_id: uuid.UUID, *, fresh: bool = False
) -> UserPreferences | None:
    """The stored row; `fresh` reads it from the database even when the session holds it."""
    preferences: UserPreferences | None = await session.get(
        UserPreferences, user_id, populate_existing=fresh
    )
    return preferences


# One row while the caller's session is active (the user's preferences, or None without a row),
# none once it has ended.
_PREFERENCES_CHECKED = (
    select(User.id, UserPreferences)
    .outerjoin(UserPreferences, UserPreferences.user_id == User.id)
    .where(User.id == bindparam("user_id"), auth_repository.ACTIVE_SESSION)
)


async def get_preferences_checked(
    session: ReadSession, principal: ClaimedPrincipal
) -> tuple[bool, UserPreferences | None]:
    """Whether the caller's session is active and, if so, their stored preferences (None: the
    defaults): one round trip with the session check."""
    row = (await session.execute(_PREFERENCES_CHECKED, principal.params())).first()
    if row is None:
        return False, None
    return True, row[1]


async def add_preferences(session: AsyncSession, preferences: UserPreferences) -> UserPreferences:
    session.add(preferences)
    await session.flush()
    return preferences
