import uuid
from typing import Annotated

from fastapi import Depends, Path

from ironlog.admin import service
from ironlog.auth.dependencies import CurrentUser
from ironlog.core.errors import Forbidden
from ironlog.core.routing import ReadSessionDep
from ironlog.models import User

UserId = Annotated[uuid.UUID, Path(description="The account's id.")]
InviteId = Annotated[uuid.UUID, Path(description="The invite's id.")]


async def get_admin(user: CurrentUser) -> User:
    """The signed-in user, who must be an administrator (else 403 `forbidden`)."""
    if not user.is_admin:
        raise Forbidden("Only an administrator may do this.")
    return user


AdminUser = Annotated[User, Depends(get_admin)]


async def get_target_user(user_id: UserId, session: ReadSessionDep, _admin: AdminUser) -> User:
    """The account a route acts on (404 when there is none), for an administrator."""
    return await service.get_user(session, user_id)


TargetUser = Annotated[User, Depends(get_target_user)]
