from typing import Annotated

from fastapi import Body, Request, status

from ironlog.auth.dependencies import (
    CurrentPrincipal,
    CurrentUser,
    CurrentUserId,
    PasswordHasherDep,
    Reader,
)
from ironlog.auth.errors import WrongCurrentPassword
from ironlog.auth.schemas import UserRead
from ironlog.core.errors import NotAuthenticated, RateLimited, problem_responses
from ironlog.core.routing import SessionDep, SettingsDep, api_router, read_only
from ironlog.models import User, UserPreferences
from ironlog.users import service
from ironlog.users.schemas import (
    PasswordChange,
    PreferencesRead,
    PreferencesUpdate,
    UserUpdate,
)

router = api_router(
    prefix="/users",
    tags=["users"],
    responses=problem_responses(NotAuthenticated),
)


@router.get("/me", response_model=UserRead, summary="Get the signed-in user")
@read_only
async def get_me(read: Reader) -> User:
    """The account of the access token's owner."""
    return await service.get_me(read.session, caller=read.caller)


@router.patch("/me", response_model=UserRead, summary="Change the signed-in user's name")
async def update_me(
    session: SessionDep, user: CurrentUser, data: Annotated[UserUpdate | None, Body()] = None
) -> User:
    """Change the fields sent, keep the others: `name` (1..100 characters after trimming; not
    null). An empty body or `{}` changes nothing and answers the user as it is."""
    return await service.update(session, user=user, data=data)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change the password",
    responses=problem_responses(WrongCurrentPassword, RateLimited),
)
async def change_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    principal: CurrentPrincipal,
    hasher: PasswordHasherDep,
    data: Annotated[PasswordChange, Body()],
) -> None:
    """Check `current_password`, set `new_password` (8..128 characters, never trimmed) and end
    every other session of the user; the session making the request stays signed in.
    Wrong current passwords count like failed logins (per email and client address): past the
    limit every attempt is 429 with `Retry-After`, even with the right password."""
    await service.change_password(
        session,
        hasher,
        settings,
        user=user,
        principal=principal,
        data=data,
        client=request.client.host if request.client else None,
    )


@router.delete(
    "/me", status_code=status.HTTP_204_NO_CONTENT, summary="Delete the account and all its data"
)
async def delete_me(session: SessionDep, user: CurrentUser) -> None:
    """Delete the user and everything the user owns: workouts, custom exercises, sessions.
    Every access token of the account stops working at once."""
    await service.delete(session, user=user)


@router.get("/me/preferences", response_model=PreferencesRead, summary="Get your preferences")
@read_only
async def get_preferences(read: Reader) -> UserPreferences:
    """Units, time zone, week start, default rest and gym setup. A user who never changed them
    has the defaults: kg, km, UTC, monday, 120 s of rest, a 20 kg bar and plates of 25, 20, 15,
    10, 5, 2.5 and 1.25 kg. The API itself always speaks kg, m and s; clients display the
    user's units."""
    return await service.get_preferences_for(read.session, caller=read.caller)


@router.patch("/me/preferences", response_model=PreferencesRead, summary="Change your preferences")
async def update_preferences(
    session: SessionDep, user_id: CurrentUserId, data: Annotated[PreferencesUpdate, Body()]
) -> UserPreferences:
    """Change any of the fields; those not sent stay. `timezone` is an IANA name (an unknown one
    is 422) and decides the local date of workouts for `from` / `to` filters, weekly
    statistics and streaks; `week_starts_on` decides where weeks begin. Weights are in kg,
    rounded to the gram; plates are served heaviest first. Any invalid field is 422 and
    nothing changes."""
    return await service.update_preferences(session, user_id=user_id, data=data)
