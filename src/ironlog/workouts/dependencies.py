import uuid
from typing import Annotated

from fastapi import Depends, Header, Path

from ironlog.auth.dependencies import CurrentUserId
from ironlog.core.errors import PreconditionFailed
from ironlog.core.routing import SessionDep
from ironlog.workouts import repository, views
from ironlog.workouts.errors import WorkoutNotFound
from ironlog.workouts.repository import WorkoutState

WorkoutId = Annotated[uuid.UUID, Path(description="The workout's id.")]


def etag_matches(if_match: str, current: str) -> bool:
    """Strong comparison (RFC 9110 13.1.1): `*` or any listed strong tag equal to `current`."""
    candidates = [candidate.strip() for candidate in if_match.split(",")]
    return "*" in candidates or current in candidates


async def get_locked_workout(
    workout_id: WorkoutId,
    session: SessionDep,
    user_id: CurrentUserId,
    if_match: Annotated[
        str | None,
        Header(description="Apply the change only if the workout's ETag still matches (412)."),
    ] = None,
) -> WorkoutState:
    """The caller's workout, locked for this transaction, after its `If-Match` check.

    Another user's workout is 404 before the body is looked at. Changes to one workout are
    serialised by the lock, so two writers holding the same ETag cannot both succeed.
    """
    workout = await repository.get_state(session, user_id=user_id, workout_id=workout_id, lock=True)
    if workout is None:
        raise WorkoutNotFound()
    if if_match is not None and not etag_matches(if_match, views.etag(workout.id, workout.version)):
        raise PreconditionFailed()
    return workout


LockedWorkout = Annotated[WorkoutState, Depends(get_locked_workout)]
