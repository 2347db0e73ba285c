from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository as auth_repository
from ironlog.auth.errors import WrongCurrentPassword
from ironlog.auth.principal import Principal
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
    *,
    user: User,
    principal: Principal,
    data: PasswordChange,
) -> None:
    """Set a new password; every other session of the user ends."""
    if not await hasher.verify(user.password_hash, data.current_password):
        raise WrongCurrentPassword()
    user.password_hash = await hasher.hash(data.new_password)
    await auth_repository.revoke_user_sessions(
        session, user.id, keep_session_id=principal.session_id
    )
    await session.flush()


async def delete(session: AsyncSession, *, user: User) -> None:
    await repository.delete_user(session, user.id)
