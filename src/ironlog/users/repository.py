import uuid

from sqlalchemy import Row, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import User, UserPreferences, Workout


async def get(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def add(session: AsyncSession, user: User) -> User:
    session.add(user)
    await session.flush()
    return user


async def delete_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Delete the user; the database cascades to everything the user owns.

    Workouts go first: their executions may use the user's own exercises, and PostgreSQL checks
    that reference (ON DELETE NO ACTION, which keeps an exercise in use from being deleted)
    before the cascade from the user reaches the executions.
    """
    await session.execute(delete(Workout).where(Workout.user_id == user_id))
    await session.execute(delete(User).where(User.id == user_id))


async def get_preferences(session: AsyncSession, user_id: uuid.UUID) -> UserPreferences | None:
    return await session.get(UserPreferences, user_id)


async def get_calendar_settings(session: AsyncSession, user_id: uuid.UUID) -> Row[str, str] | None:
    """The time zone and week start alone, for the reads that need local dates."""
    statement = select(UserPreferences.timezone, UserPreferences.week_starts_on).where(
        UserPreferences.user_id == user_id
    )
    return (await session.execute(statement)).first()


async def add_preferences(session: AsyncSession, preferences: UserPreferences) -> UserPreferences:
    session.add(preferences)
    await session.flush()
    return preferences
