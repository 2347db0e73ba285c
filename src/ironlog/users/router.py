from typing import Annotated

from fastapi import Body, status

from ironlog.auth.dependencies import CurrentPrincipal, CurrentUser, PasswordHasherDep
from ironlog.auth.errors import WrongCurrentPassword
from ironlog.auth.schemas import UserRead
from ironlog.core.errors import NotAuthenticated, problem_responses
from ironlog.core.routing import SessionDep, api_router
from ironlog.models import User
from ironlog.users import service
from ironlog.users.schemas import PasswordChange, UserUpdate

router = api_router(
    prefix="/users",
    tags=["users"],
    responses=problem_responses(NotAuthenticated),
)


@router.get("/me", response_model=UserRead, summary="Get the signed-in user")
async def get_me(user: CurrentUser) -> User:
    """The account of the access token's owner."""
    return user


@router.patch("/me", response_model=UserRead, summary="Change the signed-in user's name")
async def update_me(
    session: SessionDep, user: CurrentUser, data: Annotated[UserUpdate, Body()]
) -> User:
    """Change `name` (1..100 characters after trimming)."""
    return await service.update(session, user=user, data=data)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change the password",
    responses=problem_responses(WrongCurrentPassword),
)
async def change_password(
    session: SessionDep,
    user: CurrentUser,
    principal: CurrentPrincipal,
    hasher: PasswordHasherDep,
    data: Annotated[PasswordChange, Body()],
) -> None:
    """Check `current_password`, set `new_password` (8..128 characters, never trimmed) and end
    every other session of the user; the session making the request stays signed in."""
    await service.change_password(session, hasher, user=user, principal=principal, data=data)


@router.delete(
    "/me", status_code=status.HTTP_204_NO_CONTENT, summary="Delete the account and all its data"
)
async def delete_me(session: SessionDep, user: CurrentUser) -> None:
    """Delete the user and everything the user owns: workouts, custom exercises, sessions.
    Every access token of the account stops working at once."""
    await service.delete(session, user=user)
