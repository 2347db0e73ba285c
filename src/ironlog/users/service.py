from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository as auth_repository
from ironlog.auth import throttle
from ironlog.auth.errors import WrongCurrentPassword
from ironlog.auth.principal import Principal
from ironlog.core.config import Settings
from ironlog.core.security import PasswordHasher
from ironlog.models import User
from ironlog.users import repository
from ironlog.users.schemas import PasswordChange, UserUpdate


async def update(session: AsyncSession, *, user: User, data: UserUpdate) -> User:
    user.name = data.name
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
