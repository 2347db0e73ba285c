import copy
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository as auth_repository
from ironlog.auth import service as auth_service
from ironlog.auth import throttle
from ironlog.auth.errors import WrongCurrentPassword
from ironlog.auth.principal import ClaimedPrincipal, Principal
from ironlog.changes import record as change_record
from ironlog.core.config import Settings
from ironlog.core.db import ReadSession
from ironlog.core.local_time import WeekStart
from ironlog.core.security import PasswordHasher
from ironlog.models import User, UserPreferences
from ironlog.users import repository
from ironlog.users.schemas import (
    DistanceUnit,
    PasswordChange,
    PreferencesUpdate,
    UserUpdate,
    WeightUnit,
)


async def update(session: AsyncSession, *, user: User, data: UserUpdate | None) -> User:
    """Change the fields `data` sets; no body or `{}` changes nothing."""
    changes = data.model_dump(exclude_unset=True) if data else {}
    if not changes:
        return user
    for field, value in changes.items():
        setattr(user, field, value)
    await session.flush()
    return user


async def change_password(
    session: AsyncSession,
    hasher: PasswordHasher,
    settings: Settings,
    *,
    user: User,
    principal: Principal,
    data: PasswordChange,
    client: str | None,
) -> None:
    """Set a new password; every other session of the user ends. The check of the current
    password is throttled like a login (a stolen access token must not guess it): the attempt
    is reserved first, `WrongCurrentPassword` persists it, a success takes it back."""
    reservation = await throttle.reserve_password_check(
        session, settings, email=user.email, client=client
    )
    if not await hasher.verify(user.password_hash, data.current_password):
        raise WrongCurrentPassword()
    await throttle.succeeded(session, reservation, email=user.email)
    user.password_hash = await hasher.hash(data.new_password)
    await auth_repository.revoke_user_sessions(
        session, user.id, keep_session_id=principal.session_id
    )
    await session.flush()


async def delete(session: AsyncSession, *, user: User) -> None:
    await repository.delete_user(session, user.id)


# --- preferences ---------------------------------------------------------------------------------
# A user has the defaults until the first change writes the row (docs/decisions.md). Reading
# and writing each go through one function, so other features can hook them.

DEFAULT_PREFERENCES: dict[str, Any] = {
    "weight_unit": WeightUnit.KG,
    "distance_unit": DistanceUnit.KM,
    "timezone": "UTC",
    "week_starts_on": WeekStart.MONDAY,
    "default_rest_seconds": 120,
    "bar_weight_kg": 20.0,
    "plates_kg": [25.0, 20.0, 15.0, 10.0, 5.0, 2.5, 1.25],
}


async def get_me(session: ReadSession, *, caller: ClaimedPrincipal) -> User:
    """The caller's account, the session checked by the same statement: one round trip."""
    return auth_service.checked(await auth_repository.get_user_checked(session, caller))


def _defaults(user_id: uuid.UUID) -> UserPreferences:
    return UserPreferences(user_id=user_id, **copy.deepcopy(DEFAULT_PREFERENCES))


async def get_preferences(session: ReadSession, *, user_id: uuid.UUID) -> UserPreferences:
    """The user's preferences: the stored row, or the defaults (not stored) when there is none."""
    stored = await repository.get_preferences(session, user_id)
    return stored if stored is not None else _defaults(user_id)


async def get_preferences_for(session: ReadSession, *, caller: ClaimedPrincipal) -> UserPreferences:
    """`get_preferences` for a caller whose session the same statement checks: one round trip."""
    active, stored = await repository.get_preferences_checked(session, caller)
    if not active:
        raise auth_service.session_ended()
    return stored if stored is not None else _defaults(caller.user_id)


async def update_preferences(
    session: AsyncSession, *, user_id: uuid.UUID, data: PreferencesUpdate
) -> UserPreferences:
    """Change the fields `data` sets; the others stay as they are."""
    requested = data.model_dump(exclude_unset=True)
    current = await get_preferences(session, user_id=user_id)
    changes = {
        field: value for field, value in requested.items() if getattr(current, field) != value
    }
    # A patch that sets what is there already (or nothing) changes nothing: no change in the
    # sync feed, so other devices do not download the same preferences again.
    if not changes:
        return current
    seq = await change_record.next_seq(session, user_id)
    # Read again under the user's lock: a concurrent first change may have stored the row.
    preferences = await repository.get_preferences(session, user_id, fresh=True)
    if preferences is None:
        values = {**copy.deepcopy(DEFAULT_PREFERENCES), **changes, "change_seq": seq}
        return await repository.add_preferences(session, UserPreferences(user_id=user_id, **values))
    for field, value in {**changes, "change_seq": seq}.items():
        setattr(preferences, field, value)
    await session.flush()
    return preferences
