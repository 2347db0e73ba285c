import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ironlog.core.db import ReadSession
from ironlog.core.pagination import PageRequest
from ironlog.models import Invite, PasswordReset, User


async def list_users(session: ReadSession, page: PageRequest) -> tuple[list[User], int]:
    """Accounts, oldest first."""
    total = await session.scalar(select(func.count()).select_from(User))
    statement = select(User).order_by(User.created_at, User.id).offset(page.offset).limit(page.size)
    return list((await session.scalars(statement)).all()), int(total or 0)


async def get_user(session: ReadSession, user_id: uuid.UUID) -> User | None:
    user: User | None = await session.get(User, user_id)
    return user


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def lock_enabled_admins(session: AsyncSession) -> list[uuid.UUID]:
    """The enabled administrators' ids, their rows locked until the transaction ends
    (PostgreSQL), so two requests cannot each remove one of the last two. SQLite's write
    transactions are serialized anyway."""
    statement = (
        select(User.id)
        .where(User.is_admin.is_(True), User.disabled_at.is_(None))
        .order_by(User.id)
        .with_for_update()
    )
    return list((await session.scalars(statement)).all())


async def add_invite(session: AsyncSession, invite: Invite) -> Invite:
    session.add(invite)
    await session.flush()
    return invite


async def list_invites(
    session: ReadSession, page: PageRequest
) -> tuple[list[tuple[Invite, str | None]], int]:
    """Invites, newest first, with the email of the account that used each."""
    used_by = aliased(User)
    total = await session.scalar(select(func.count()).select_from(Invite))
    statement = (
        select(Invite, used_by.email)
        .outerjoin(used_by, used_by.id == Invite.used_by)
        .order_by(Invite.created_at.desc(), Invite.id)
        .offset(page.offset)
        .limit(page.size)
    )
    rows = (await session.execute(statement)).all()
    return [(row[0], row[1]) for row in rows], int(total or 0)


async def delete_invite(session: AsyncSession, invite_id: uuid.UUID) -> bool:
    result = await session.execute(
        delete(Invite).where(Invite.id == invite_id).execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def replace_password_reset(
    session: AsyncSession, *, user_id: uuid.UUID, token_hash: str, expires_at: datetime
) -> PasswordReset:
    """The user's one reset link: any earlier one stops working."""
    await session.execute(
        delete(PasswordReset)
        .where(PasswordReset.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    reset = PasswordReset(user_id=user_id, token_hash=token_hash, expires_at=expires_at)
    session.add(reset)
    await session.flush()
    return reset
