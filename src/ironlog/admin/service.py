"""Administration: accounts, invites and password reset links (docs/administration.md).

Used by the `/admin` routes and by the `ironlog users` commands, which work on the database
directly. The rule every change keeps: at least one enabled administrator remains.
"""

import secrets
import uuid
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.admin import repository
from ironlog.admin.errors import InviteNotFound, LastAdmin, UserNotFound
from ironlog.admin.schemas import AdminUserRead, InviteCreated, InviteRead, InviteStatus, ResetLink
from ironlog.auth import repository as auth_repository
from ironlog.auth import service as auth_service
from ironlog.auth.errors import EmailTaken
from ironlog.core.clock import utc_now
from ironlog.core.config import Settings
from ironlog.core.db import ReadSession
from ironlog.core.errors import NotFound
from ironlog.core.pagination import Page, PageRequest
from ironlog.core.security import hash_token
from ironlog.models import Invite, User
from ironlog.users import repository as users_repository


def link(base_url: str, route: str, token: str) -> str:
    """A link into the web app: `<base>/#/<route>?<token>`; `base_url` may be empty (a bare
    path, for the command line without IRONLOG_PUBLIC_URL)."""
    return f"{base_url.rstrip('/')}/#/{route}{token}"


async def list_users(session: ReadSession, *, page: PageRequest) -> Page[AdminUserRead]:
    users, total = await repository.list_users(session, page)
    items = [AdminUserRead.model_validate(user) for user in users]
    return Page[AdminUserRead].build(items, total, page)


async def get_user(session: ReadSession, user_id: uuid.UUID) -> User:
    user = await repository.get_user(session, user_id)
    if user is None:
        raise UserNotFound()
    return user


async def find_user(session: AsyncSession, email: str) -> User:
    """The account with this email (compared as registration stores it), else 404."""
    user = await repository.get_user_by_email(session, auth_service.normalize_email(email))
    if user is None:
        raise NotFound(f"No account has the email {email.strip()!r}.")
    return user


async def _keep_an_admin(session: AsyncSession, user: User) -> None:
    """Refuse a change that would take `user` out of the enabled administrators when they are
    the last one."""
    admins = await repository.lock_enabled_admins(session)
    if admins == [user.id]:
        raise LastAdmin()


async def disable(session: AsyncSession, *, user: User) -> User:
    """Disable the account and end all its sessions at once: its refresh tokens are revoked,
    and its access tokens fail on their next request (their session is checked every time)."""
    if user.disabled_at is None:
        await _keep_an_admin(session, user)
        user.disabled_at = utc_now()
        await auth_repository.revoke_user_sessions(session, user.id)
        await session.flush()
    return user


async def enable(session: AsyncSession, *, user: User) -> User:
    if user.disabled_at is not None:
        user.disabled_at = None
        await session.flush()
    return user


async def set_admin(session: AsyncSession, *, user: User, is_admin: bool) -> User:
    if user.is_admin and not is_admin:
        await _keep_an_admin(session, user)
    if user.is_admin != is_admin:
        user.is_admin = is_admin
        await session.flush()
    return user


async def delete(session: AsyncSession, *, user: User) -> None:
    """Delete the account and everything it owns."""
    await _keep_an_admin(session, user)
    await users_repository.delete_user(session, user.id)


async def create_user(
    session: AsyncSession, *, email: str, name: str, password_hash: str, is_admin: bool
) -> User:
    """An account made by an administrator, whatever `IRONLOG_REGISTRATION` says; the first
    account of a server without an administrator becomes one."""
    email = auth_service.normalize_email(email)
    if await repository.get_user_by_email(session, email) is not None:
        raise EmailTaken()
    is_admin = is_admin or not await auth_repository.admin_exists(session)
    user = User(email=email, name=name, password_hash=password_hash, is_admin=is_admin)
    try:
        async with session.begin_nested():
            await auth_repository.add_user(session, user)
    except IntegrityError as error:  # a concurrent registration took the email
        raise EmailTaken() from error
    return user


async def set_password(session: AsyncSession, *, user: User, password_hash: str) -> None:
    """Set the password (hashed by the caller, outside the transaction) and end every session."""
    await auth_repository.set_password_hash(session, user.id, password_hash)
    await auth_repository.revoke_user_sessions(session, user.id)


async def create_invite(
    session: AsyncSession, settings: Settings, *, created_by: uuid.UUID | None, base_url: str
) -> InviteCreated:
    token = secrets.token_urlsafe(32)
    invite = await repository.add_invite(
        session,
        Invite(
            token_hash=hash_token(token),
            created_by=created_by,
            expires_at=utc_now() + timedelta(seconds=settings.invite_ttl_seconds),
        ),
    )
    return InviteCreated(
        id=invite.id,
        token=token,
        url=link(base_url, "signup?invite=", token),
        expires_at=invite.expires_at,
    )


def _status(invite: Invite) -> InviteStatus:
    if invite.used_at is not None:
        return "used"
    return "expired" if invite.expires_at <= utc_now() else "pending"


async def list_invites(session: ReadSession, *, page: PageRequest) -> Page[InviteRead]:
    rows, total = await repository.list_invites(session, page)
    items = [
        InviteRead(
            id=invite.id,
            status=_status(invite),
            created_at=invite.created_at,
            expires_at=invite.expires_at,
            used_at=invite.used_at,
            used_by_email=email,
        )
        for invite, email in rows
    ]
    return Page[InviteRead].build(items, total, page)


async def revoke_invite(session: AsyncSession, *, invite_id: uuid.UUID) -> None:
    """Delete the invite: its link stops working (a used one just leaves the list)."""
    if not await repository.delete_invite(session, invite_id):
        raise InviteNotFound()


async def create_reset_link(
    session: AsyncSession, settings: Settings, *, user: User, base_url: str
) -> ResetLink:
    """A one-time link to choose a new password; an earlier link of the user stops working."""
    token = secrets.token_urlsafe(32)
    reset = await repository.replace_password_reset(
        session,
        user_id=user.id,
        token_hash=hash_token(token),
        expires_at=utc_now() + timedelta(seconds=settings.password_reset_ttl_seconds),
    )
    return ResetLink(
        url=link(base_url, "reset-password?token=", token), expires_at=reset.expires_at
    )
