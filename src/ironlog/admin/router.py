"""`/admin`: accounts, invites and password reset links, for administrators only."""

from fastapi import Request, status

from ironlog.admin import service
from ironlog.admin.dependencies import AdminUser, InviteId, TargetUser
from ironlog.admin.errors import InviteNotFound, LastAdmin, UserNotFound
from ironlog.admin.schemas import AdminUserRead, InviteCreated, InviteRead, ResetLink
from ironlog.core.config import Settings
from ironlog.core.errors import Forbidden, NotAuthenticated, problem_responses
from ironlog.core.pagination import Page, PageParams
from ironlog.core.routing import ReadSessionDep, SessionDep, SettingsDep, api_router, read_only
from ironlog.models import User

router = api_router(
    prefix="/admin",
    tags=["admin"],
    responses=problem_responses(NotAuthenticated, Forbidden),
)


def base_url(request: Request, settings: Settings) -> str:
    """Where people open IronLog: IRONLOG_PUBLIC_URL, else this request's own address."""
    return settings.public_url or str(request.base_url)


@router.get("/users", response_model=Page[AdminUserRead], summary="List the accounts")
@read_only
async def list_users(
    session: ReadSessionDep, _admin: AdminUser, page: PageParams
) -> Page[AdminUserRead]:
    """Every account of the server, oldest first, paged."""
    return await service.list_users(session, page=page)


@router.post(
    "/users/{user_id}/disable",
    response_model=AdminUserRead,
    summary="Disable an account",
    responses=problem_responses(UserNotFound, LastAdmin),
)
async def disable_user(session: SessionDep, user: TargetUser) -> User:
    """The account can no longer sign in (password or Google: 403 `account_disabled`) and all
    its sessions end at once: refresh tokens are revoked, access tokens fail on their next
    request. Its data stays. Disabling the last enabled administrator is 409 `last_admin`;
    disabling a disabled account changes nothing."""
    return await service.disable(session, user=user)


@router.post(
    "/users/{user_id}/enable",
    response_model=AdminUserRead,
    summary="Enable an account again",
    responses=problem_responses(UserNotFound),
)
async def enable_user(session: SessionDep, user: TargetUser) -> User:
    """The account may sign in again (its old sessions stay ended)."""
    return await service.enable(session, user=user)


@router.post(
    "/users/{user_id}/promote",
    response_model=AdminUserRead,
    summary="Make an account administrator",
    responses=problem_responses(UserNotFound),
)
async def promote_user(session: SessionDep, user: TargetUser) -> User:
    """The account becomes an administrator."""
    return await service.set_admin(session, user=user, is_admin=True)


@router.post(
    "/users/{user_id}/demote",
    response_model=AdminUserRead,
    summary="Take administration away from an account",
    responses=problem_responses(UserNotFound, LastAdmin),
)
async def demote_user(session: SessionDep, user: TargetUser) -> User:
    """The account stops being an administrator; the last enabled administrator cannot (409
    `last_admin`)."""
    return await service.set_admin(session, user=user, is_admin=False)


@router.post(
    "/users/{user_id}/reset-link",
    status_code=status.HTTP_201_CREATED,
    response_model=ResetLink,
    summary="Make a password reset link for an account",
    responses=problem_responses(UserNotFound),
)
async def create_reset_link(
    request: Request, session: SessionDep, settings: SettingsDep, user: TargetUser
) -> ResetLink:
    """A one-time link (`<base>/#/reset-password?token=<token>`) where the account's owner
    chooses a new password (`POST /auth/password-reset`); IronLog sends no email, so hand it
    over yourself. It expires after `IRONLOG_PASSWORD_RESET_TTL_SECONDS` (24 hours); a new link
    replaces the account's earlier one. `<base>` is `IRONLOG_PUBLIC_URL`, else this request's
    address."""
    return await service.create_reset_link(
        session, settings, user=user, base_url=base_url(request, settings)
    )


@router.post(
    "/invites",
    status_code=status.HTTP_201_CREATED,
    response_model=InviteCreated,
    summary="Make an invite link",
)
async def create_invite(
    request: Request, session: SessionDep, settings: SettingsDep, admin: AdminUser
) -> InviteCreated:
    """A single-use sign-up link (`<base>/#/signup?invite=<token>`), needed to register while
    `IRONLOG_REGISTRATION=invite`. It expires after `IRONLOG_INVITE_TTL_SECONDS` (7 days). The
    token is shown only in this answer."""
    return await service.create_invite(
        session, settings, created_by=admin.id, base_url=base_url(request, settings)
    )


@router.get("/invites", response_model=Page[InviteRead], summary="List the invites")
@read_only
async def list_invites(
    session: ReadSessionDep, _admin: AdminUser, page: PageParams
) -> Page[InviteRead]:
    """Every invite, newest first: pending, used (and by whom) or expired; never the token."""
    return await service.list_invites(session, page=page)


@router.delete(
    "/invites/{invite_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an invite",
    responses=problem_responses(InviteNotFound),
)
async def revoke_invite(invite_id: InviteId, session: SessionDep, _admin: AdminUser) -> None:
    """Delete the invite: its link stops working."""
    await service.revoke_invite(session, invite_id=invite_id)
