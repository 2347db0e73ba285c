import uuid
from typing import Annotated

from fastapi import Body, Path, Query, status
from starlette.responses import Response

from ironlog.auth.dependencies import Creator, CurrentUserId, Reader
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.core.errors import (
    InvalidField,
    NotAuthenticated,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from ironlog.core.json import json_response
from ironlog.core.pagination import Page, PageParams
from ironlog.core.routing import SessionDep, api_router, read_only
from ironlog.core.schemas import NO_NUL, BoundedDate
from ironlog.models import WorkoutStatus
from ironlog.workouts import service
from ironlog.workouts.dependencies import LockedWorkout, WorkoutId
from ironlog.workouts.errors import (
    DuplicateExercise,
    ExerciseAlreadyInWorkout,
    InvalidOrder,
    InvalidSuperset,
    UnknownExercise,
    WorkoutExists,
    WorkoutFinished,
)
from ironlog.workouts.filters import WorkoutFilters
from ironlog.workouts.schemas import (
    ExecutionPatch,
    ExecutionRead,
    ExecutionWrite,
    FinishRequest,
    ReorderRequest,
    SetPatch,
    SetRead,
    SetWrite,
    WorkoutCreate,
    WorkoutPatch,
    WorkoutRead,
    WorkoutReplace,
)

router = api_router(
    prefix="/workouts",
    tags=["workouts"],
    responses=problem_responses(NotAuthenticated, NotFound),
)

ExerciseId = Annotated[uuid.UUID, Path(description="The exercise's id (the execution's key).")]
SetId = Annotated[uuid.UUID, Path(description="The set's id.")]

ETAG_HEADER = {"ETag": {"description": "The workout's strong ETag.", "schema": {"type": "string"}}}
CHANGE_ERRORS = problem_responses(PreconditionFailed, WorkoutFinished)


def _workout_response(
    view: service.WorkoutView, status_code: int = 200, location: bool = False
) -> Response:
    headers = {"ETag": view.etag}
    if location:
        headers["Location"] = f"/api/v1/workouts/{view.body['id']}"
    return json_response(view.body, status_code, headers)


@router.get(
    "",
    response_model=Page[WorkoutRead],
    summary="List your workouts",
    responses=problem_responses(InvalidField),
)
@read_only
async def list_workouts(
    read: Reader,
    page: PageParams,
    status_filter: Annotated[WorkoutStatus | None, Query(alias="status")] = None,
    from_date: Annotated[
        BoundedDate | None,
        Query(
            alias="from",
            description="Started on or after (local date, years 1900..2999).",
        ),
    ] = None,
    to_date: Annotated[
        BoundedDate | None,
        Query(
            alias="to",
            description="Started on or before (local date, years 1900..2999).",
        ),
    ] = None,
    exercise_id: Annotated[
        uuid.UUID | None, Query(description="Only workouts containing this exercise.")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=100, pattern=NO_NUL, description="Case-insensitive substring of the name."
        ),
    ] = None,
) -> Response:
    """The caller's workouts with their exercises and sets, newest first by `started_at` (ties
    by id), paged."""
    if from_date and to_date and from_date > to_date:
        raise InvalidField(["query", "from"], "from must not be after to")
    filters = WorkoutFilters(status_filter, from_date, to_date, exercise_id, q or None)
    body = await service.list_workouts(
        read.session, principal=read.caller, filters=filters, page=page
    )
    return json_response(body)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkoutRead,
    summary="Create a workout",
    responses={
        201: {"headers": {**ETAG_HEADER, "Location": {"schema": {"type": "string"}}}},
        **problem_responses(WorkoutExists, DuplicateExercise, UnknownExercise, InvalidSuperset),
    },
)
async def create_workout(
    session: SessionDep, caller: Creator, data: Annotated[WorkoutCreate, Body()]
) -> Response:
    """Create a workout in progress, optionally with its whole tree of exercises and sets, in
    one transaction. A past workout is logged finished in one call: `status: "finished"` with
    `finished_at` or `duration_seconds` (without either, 422). Offline clients may choose the
    `id`; an id that exists is 409 `workout_exists`. Send an `Idempotency-Key` to make retries
    safe."""
    unchecked = caller if isinstance(caller, ClaimedPrincipal) else None
    view = await service.create(session, user_id=caller.user_id, data=data, unchecked=unchecked)
    return _workout_response(view, status.HTTP_201_CREATED, location=True)


@router.get(
    "/{workout_id}",
    response_model=WorkoutRead,
    summary="Get a workout",
    responses={200: {"headers": ETAG_HEADER}},
)
@read_only
async def get_workout(workout_id: WorkoutId, read: Reader) -> Response:
    """The workout with its executions (each with the embedded exercise) and sets, in position
    order. Another user's workout is 404."""
    view = await service.get(read.session, principal=read.caller, workout_id=workout_id)
    return _workout_response(view)


@router.put(
    "/{workout_id}",
    response_model=WorkoutRead,
    summary="Replace a workout and its whole tree",
    responses={
        200: {"headers": ETAG_HEADER},
        **problem_responses(
            PreconditionFailed, WorkoutFinished, DuplicateExercise, UnknownExercise, InvalidSuperset
        ),
    },
)
async def replace_workout(
    session: SessionDep,
    user_id: CurrentUserId,
    workout: LockedWorkout,
    data: Annotated[WorkoutReplace, Body()],
) -> Response:
    """Replace name, notes and the whole tree (and `started_at` when given), in one
    transaction. Honours `If-Match`."""
    return _workout_response(
        await service.replace(session, user_id=user_id, workout=workout, data=data)
    )


@router.patch(
    "/{workout_id}",
    response_model=WorkoutRead,
    summary="Change a workout's name, notes or start",
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
)
async def update_workout(
    session: SessionDep,
    user_id: CurrentUserId,
    workout: LockedWorkout,
    data: Annotated[WorkoutPatch, Body()],
) -> Response:
    """Change `name`, `notes` or `started_at`; other fields keep their values. Honours
    `If-Match`."""
    return _workout_response(
        await service.update(session, user_id=user_id, workout=workout, data=data)
    )


@router.delete(
    "/{workout_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a workout",
    responses=problem_responses(PreconditionFailed),
)
async def delete_workout(
    session: SessionDep, user_id: CurrentUserId, workout: LockedWorkout
) -> None:
    """Delete the workout with its executions and sets (finished workouts too). Honours
    `If-Match`."""
    await service.delete(session, user_id=user_id, workout=workout)


@router.post(
    "/{workout_id}/finish",
    response_model=WorkoutRead,
    summary="Finish a workout",
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
)
async def finish_workout(
    session: SessionDep,
    user_id: CurrentUserId,
    workout: LockedWorkout,
    data: Annotated[FinishRequest | None, Body()] = None,
) -> Response:
    """Set status `finished` and `finished_at` (now, or as given; not before `started_at`).
    Finishing a finished workout is 409 `workout_finished`."""
    return _workout_response(
        await service.finish(session, user_id=user_id, workout=workout, data=data)
    )


@router.post(
    "/{workout_id}/reopen",
    response_model=WorkoutRead,
    summary="Reopen a finished workout",
    responses={200: {"headers": ETAG_HEADER}, **problem_responses(PreconditionFailed)},
)
async def reopen_workout(
    session: SessionDep, user_id: CurrentUserId, workout: LockedWorkout
) -> Response:
    """Back to `in_progress` with `finished_at` cleared, so a mistake can be fixed. Reopening a
    workout in progress changes nothing."""
    return _workout_response(await service.reopen(session, user_id=user_id, workout=workout))


@router.post(
    "/{workout_id}/exercises",
    status_code=status.HTTP_201_CREATED,
    response_model=ExecutionRead,
    summary="Add an exercise to a workout",
    responses=problem_responses(
        PreconditionFailed,
        WorkoutFinished,
        ExerciseAlreadyInWorkout,
        UnknownExercise,
        InvalidSuperset,
    ),
)
async def add_execution(
    session: SessionDep,
    user_id: CurrentUserId,
    workout: LockedWorkout,
    data: Annotated[ExecutionWrite, Body()],
) -> Response:
    """Append an exercise (with optional sets) at the end of the workout. An exercise appears
    at most once per workout."""
    body = await service.add_execution(session, user_id=user_id, workout=workout, data=data)
    return json_response(body, status.HTTP_201_CREATED)


@router.put(
    "/{workout_id}/exercises/order",
    response_model=WorkoutRead,
    summary="Reorder a workout's exercises",
    responses={
        200: {"headers": ETAG_HEADER},
        **problem_responses(PreconditionFailed, WorkoutFinished, InvalidOrder, InvalidSuperset),
    },
)
async def reorder_executions(
    session: SessionDep,
    user_id: CurrentUserId,
    workout: LockedWorkout,
    data: Annotated[ReorderRequest, Body()],
) -> Response:
    """`exercise_ids` must be exactly a permutation of the workout's exercises, else 422
    `invalid_order`. Returns the workout."""
    return _workout_response(
        await service.reorder(session, user_id=user_id, workout=workout, data=data)
    )


@router.patch(
    "/{workout_id}/exercises/{exercise_id:id}",
    response_model=ExecutionRead,
    summary="Change an exercise's notes or superset, or replace its sets",
    responses=problem_responses(PreconditionFailed, WorkoutFinished, InvalidSuperset),
)
async def update_execution(
    session: SessionDep,
    exercise_id: ExerciseId,
    workout: LockedWorkout,
    data: Annotated[ExecutionPatch, Body()],
) -> Response:
    """Change `notes` or `superset` (same numbers stay adjacent), or replace the sets with
    `sets` (the whole list, in order)."""
    body = await service.update_execution(
        session, workout=workout, exercise_id=exercise_id, data=data
    )
    return json_response(body)


@router.delete(
    "/{workout_id}/exercises/{exercise_id:id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an exercise from a workout",
    responses=CHANGE_ERRORS,
)
async def remove_execution(
    session: SessionDep, exercise_id: ExerciseId, workout: LockedWorkout
) -> None:
    """Remove the exercise and its sets; the positions of the rest close up."""
    await service.remove_execution(session, workout=workout, exercise_id=exercise_id)


@router.post(
    "/{workout_id}/exercises/{exercise_id}/sets",
    status_code=status.HTTP_201_CREATED,
    response_model=SetRead,
    summary="Append a set",
    responses=CHANGE_ERRORS,
)
async def add_set(
    session: SessionDep,
    exercise_id: ExerciseId,
    workout: LockedWorkout,
    data: Annotated[SetWrite, Body()],
) -> Response:
    """Append a set at the end of the exercise's sets."""
    body = await service.add_set(session, workout=workout, exercise_id=exercise_id, data=data)
    return json_response(body, status.HTTP_201_CREATED)


@router.patch(
    "/{workout_id}/exercises/{exercise_id}/sets/{set_id}",
    response_model=SetRead,
    summary="Change a set",
    responses=CHANGE_ERRORS,
)
async def update_set(
    session: SessionDep,
    exercise_id: ExerciseId,
    set_id: SetId,
    workout: LockedWorkout,
    data: Annotated[SetPatch, Body()],
) -> Response:
    """Change the given fields of a set; it must still have reps, duration_seconds or
    distance_m."""
    body = await service.update_set(
        session, workout=workout, exercise_id=exercise_id, set_id=set_id, data=data
    )
    return json_response(body)


@router.delete(
    "/{workout_id}/exercises/{exercise_id}/sets/{set_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a set",
    responses=CHANGE_ERRORS,
)
async def remove_set(
    session: SessionDep, exercise_id: ExerciseId, set_id: SetId, workout: LockedWorkout
) -> None:
    """Remove the set; the positions of the sets after it close up."""
    await service.remove_set(session, workout=workout, exercise_id=exercise_id, set_id=set_id)
