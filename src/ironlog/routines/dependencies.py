import uuid
from typing import Annotated, Any

from fastapi import Depends, Header, Path

from ironlog.auth.dependencies import CurrentUserId
from ironlog.core.errors import PreconditionFailed
from ironlog.core.routing import ReadSessionDep, SessionDep
from ironlog.routines import repository, views, workouts
from ironlog.routines.errors import FolderNotFound, RoutineNotFound
from ironlog.routines.repository import RoutineState
from ironlog.workouts.dependencies import WorkoutId, etag_matches

RoutineId = Annotated[uuid.UUID, Path(description="The routine's id.")]
FolderId = Annotated[uuid.UUID, Path(description="The folder's id.")]


async def get_locked_routine(
    routine_id: RoutineId,
    session: SessionDep,
    user_id: CurrentUserId,
    if_match: Annotated[
        str | None,
        Header(description="Apply the change only if the routine's ETag still matches (412)."),
    ] = None,
) -> RoutineState:
    """The caller's routine, locked for this transaction, after its `If-Match` check. Another
    user's routine is 404 before the body is looked at."""
    routine = await repository.get_state(session, user_id=user_id, routine_id=routine_id, lock=True)
    if routine is None:
        raise RoutineNotFound()
    if if_match is not None and not etag_matches(if_match, views.etag(routine.id, routine.version)):
        raise PreconditionFailed()
    return routine


LockedRoutine = Annotated[RoutineState, Depends(get_locked_routine)]


async def get_owned_folder(
    folder_id: FolderId, session: ReadSessionDep, user_id: CurrentUserId
) -> uuid.UUID:
    """The id of the caller's folder; another user's is 404 before the body is looked at."""
    if await repository.get_folder(session, user_id=user_id, folder_id=folder_id) is None:
        raise FolderNotFound()
    return folder_id


OwnedFolderId = Annotated[uuid.UUID, Depends(get_owned_folder)]


# `start` and `save-as-routine` read what they copy in a dependency, which FastAPI runs before it
# validates the body: another user's routine or workout is 404 whatever the body holds.


async def get_routine_to_start(
    routine_id: RoutineId, session: SessionDep, user_id: CurrentUserId
) -> dict[str, Any]:
    """The caller's routine (its whole tree), as starting it copies it."""
    return await workouts.routine_to_start(session, user_id=user_id, routine_id=routine_id)


RoutineToStart = Annotated[dict[str, Any], Depends(get_routine_to_start)]


async def get_workout_to_save(
    workout_id: WorkoutId, session: SessionDep, user_id: CurrentUserId
) -> dict[str, Any]:
    """The caller's workout (its whole tree), as saving it as a routine copies it."""
    return await workouts.workout_to_save(session, user_id=user_id, workout_id=workout_id)


WorkoutToSave = Annotated[dict[str, Any], Depends(get_workout_to_save)]
