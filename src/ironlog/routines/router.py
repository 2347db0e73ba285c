from typing import Annotated, Any

from fastapi import Body, status
from starlette.responses import Response

from ironlog.auth.dependencies import CurrentUserId, Reader
from ironlog.core.errors import NotAuthenticated, NotFound, PreconditionFailed, problem_responses
from ironlog.core.json import json_response
from ironlog.core.pagination import Page, PageParams
from ironlog.core.routing import SessionDep, api_router, read_only
from ironlog.routines import service, workouts
from ironlog.routines.dependencies import (
    FolderId,
    LockedRoutine,
    OwnedFolderId,
    RoutineId,
    RoutineToStart,
    WorkoutToSave,
)
from ironlog.routines.errors import FolderExists, InvalidOrder, RoutineExists, UnknownFolder
from ironlog.routines.schemas import (
    FolderCreate,
    FolderRead,
    FolderWrite,
    OrderRequest,
    RoutineCreate,
    RoutinePatch,
    RoutineRead,
    RoutineReplace,
    SaveAsRoutine,
    StartRoutine,
)
from ironlog.workouts.errors import (
    DuplicateExercise,
    InvalidSuperset,
    UnknownExercise,
    WorkoutExists,
)
from ironlog.workouts.schemas import WorkoutRead

router = api_router(
    prefix="/routines",
    tags=["routines"],
    responses=problem_responses(NotAuthenticated, NotFound),
)
folders_router = api_router(
    prefix="/routine-folders",
    tags=["routines"],
    responses=problem_responses(NotAuthenticated, NotFound),
)
# `POST /workouts/{id}/save-as-routine` lives with the routines it makes.
workouts_router = api_router(
    prefix="/workouts",
    tags=["routines"],
    responses=problem_responses(NotAuthenticated, NotFound),
)

ETAG = {"ETag": {"description": "The routine's strong ETag.", "schema": {"type": "string"}}}
CREATED = {**ETAG, "Location": {"description": "The new routine.", "schema": {"type": "string"}}}
TREE_ERRORS = (DuplicateExercise, UnknownExercise, UnknownFolder, InvalidSuperset)


def _routine_response(
    view: service.RoutineView, status_code: int = 200, location: bool = False
) -> Response:
    headers = {"ETag": view.etag}
    if location:
        headers["Location"] = f"/api/v1/routines/{view.body['id']}"
    return json_response(view.body, status_code, headers)


def _folder_response(body: dict[str, Any], status_code: int = 200) -> Response:
    headers = {"Location": f"/api/v1/routine-folders/{body['id']}"} if status_code == 201 else {}
    return json_response(body, status_code, headers)


@router.get("", response_model=Page[RoutineRead], summary="List your routines")
@read_only
async def list_routines(read: Reader, page: PageParams) -> Response:
    """The caller's routines with their exercises and target sets, in the caller's order
    (`position`), paged."""
    return json_response(await service.list_routines(read.session, caller=read.caller, page=page))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RoutineRead,
    summary="Create a routine",
    responses={201: {"headers": CREATED}, **problem_responses(RoutineExists, *TREE_ERRORS)},
)
async def create_routine(
    session: SessionDep, user_id: CurrentUserId, data: Annotated[RoutineCreate, Body()]
) -> Response:
    """Create a routine at the end of your routines, with its exercises and target sets, in one
    transaction. Offline clients may choose the `id`; an id that exists is 409
    `routine_exists`. Send an `Idempotency-Key` to make retries safe."""
    view = await service.create(session, user_id=user_id, data=data)
    return _routine_response(view, status.HTTP_201_CREATED, location=True)


@router.put(
    "/order",
    response_model=list[RoutineRead],
    summary="Reorder your routines",
    responses=problem_responses(InvalidOrder),
)
async def reorder_routines(
    session: SessionDep, user_id: CurrentUserId, data: Annotated[OrderRequest, Body()]
) -> Response:
    """`ids` must list every one of your routines exactly once (else 422 `invalid_order`);
    each takes its index as `position`. Returns all your routines in the new order."""
    return json_response(await service.reorder(session, user_id=user_id, data=data))


@router.get(
    "/{routine_id:id}",
    response_model=RoutineRead,
    summary="Get a routine",
    responses={200: {"headers": ETAG}},
)
@read_only
async def get_routine(routine_id: RoutineId, read: Reader) -> Response:
    """The routine with its exercises (each with the embedded exercise) and target sets, in
    position order. Another user's routine is 404."""
    view = await service.get_for(read.session, caller=read.caller, routine_id=routine_id)
    return _routine_response(view)


@router.put(
    "/{routine_id:id}",
    response_model=RoutineRead,
    summary="Replace a routine",
    responses={200: {"headers": ETAG}, **problem_responses(PreconditionFailed, *TREE_ERRORS)},
)
async def replace_routine(
    session: SessionDep,
    user_id: CurrentUserId,
    routine: LockedRoutine,
    data: Annotated[RoutineReplace, Body()],
) -> Response:
    """Replace name, notes, folder and every exercise and set, in one transaction; the
    routine keeps its place. Honours `If-Match`."""
    return _routine_response(
        await service.replace(session, user_id=user_id, routine=routine, data=data)
    )


@router.patch(
    "/{routine_id:id}",
    response_model=RoutineRead,
    summary="Rename a routine or move it to a folder",
    responses={200: {"headers": ETAG}, **problem_responses(PreconditionFailed, UnknownFolder)},
)
async def update_routine(
    session: SessionDep,
    user_id: CurrentUserId,
    routine: LockedRoutine,
    data: Annotated[RoutinePatch, Body()],
) -> Response:
    """Change `name`, `notes` or `folder_id` (null moves it out of its folder); other fields
    keep their values. Honours `If-Match`."""
    return _routine_response(
        await service.update(session, user_id=user_id, routine=routine, data=data)
    )


@router.delete(
    "/{routine_id:id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a routine",
    responses=problem_responses(PreconditionFailed),
)
async def delete_routine(
    session: SessionDep, user_id: CurrentUserId, routine: LockedRoutine
) -> None:
    """Delete the routine; the routines after it close up. Workouts started from it stay, with
    `routine_id` null. Honours `If-Match`."""
    await service.delete(session, user_id=user_id, routine=routine)


@router.post(
    "/{routine_id:id}/start",
    status_code=status.HTTP_201_CREATED,
    response_model=WorkoutRead,
    summary="Start a workout from a routine",
    responses={
        201: {
            "headers": {
                "ETag": {"description": "The workout's strong ETag.", "schema": {"type": "string"}},
                "Location": {"description": "The new workout.", "schema": {"type": "string"}},
            }
        },
        **problem_responses(WorkoutExists),
    },
)
async def start_routine(
    routine_id: RoutineId,
    routine: RoutineToStart,
    session: SessionDep,
    user_id: CurrentUserId,
    data: Annotated[StartRoutine | None, Body()] = None,
) -> Response:
    """A new workout in progress with the routine's exercises and target sets (not completed):
    `reps` is the set's reps, else the top of its rep range. With `progression`, the weights of
    the last finished workout started from this routine carry over, raised by `increment_kg`
    when every working set reached its target then. Send an `Idempotency-Key` to make retries
    safe."""
    view = await workouts.start(
        session, user_id=user_id, routine_id=routine_id, routine=routine, data=data
    )
    headers = {"ETag": view.etag, "Location": f"/api/v1/workouts/{view.body['id']}"}
    return json_response(view.body, status.HTTP_201_CREATED, headers)


@workouts_router.post(
    "/{workout_id}/save-as-routine",
    status_code=status.HTTP_201_CREATED,
    response_model=RoutineRead,
    summary="Save a workout as a routine",
    responses={201: {"headers": CREATED}, **problem_responses(UnknownFolder)},
)
async def save_workout_as_routine(
    workout: WorkoutToSave,
    session: SessionDep,
    user_id: CurrentUserId,
    data: Annotated[SaveAsRoutine, Body()],
) -> Response:
    """A new routine (at the end of your routines) with the workout's exercises, notes,
    supersets and sets as targets; each exercise's rest is that of its first working set."""
    view = await workouts.save_workout(session, user_id=user_id, workout=workout, data=data)
    return _routine_response(view, status.HTTP_201_CREATED, location=True)


# Folders.


@folders_router.get("", response_model=Page[FolderRead], summary="List your routine folders")
@read_only
async def list_folders(read: Reader, page: PageParams) -> Response:
    """The caller's folders in their order (`position`), paged."""
    return json_response(await service.list_folders(read.session, caller=read.caller, page=page))


@folders_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=FolderRead,
    summary="Create a routine folder",
    responses={
        201: {"headers": {"Location": {"schema": {"type": "string"}}}},
        **problem_responses(FolderExists),
    },
)
async def create_folder(
    session: SessionDep, user_id: CurrentUserId, data: Annotated[FolderCreate, Body()]
) -> Response:
    """A folder at the end of your folders. Clients may choose the `id`; an id that exists is
    409 `routine_folder_exists`."""
    body = await service.create_folder(session, user_id=user_id, data=data)
    return _folder_response(body, status.HTTP_201_CREATED)


@folders_router.put(
    "/order",
    response_model=list[FolderRead],
    summary="Reorder your routine folders",
    responses=problem_responses(InvalidOrder),
)
async def reorder_folders(
    session: SessionDep, user_id: CurrentUserId, data: Annotated[OrderRequest, Body()]
) -> Response:
    """`ids` must list every one of your folders exactly once (else 422 `invalid_order`).
    Returns all your folders in the new order."""
    return json_response(await service.reorder_folders(session, user_id=user_id, data=data))


@folders_router.get("/{folder_id:id}", response_model=FolderRead, summary="Get a routine folder")
@read_only
async def get_folder(folder_id: FolderId, read: Reader) -> Response:
    """One of your folders; another user's is 404."""
    folder = await service.get_folder_for(read.session, caller=read.caller, folder_id=folder_id)
    return json_response(folder)


@folders_router.put(
    "/{folder_id:id}", response_model=FolderRead, summary="Replace a routine folder"
)
async def replace_folder(
    folder_id: OwnedFolderId,
    session: SessionDep,
    user_id: CurrentUserId,
    data: Annotated[FolderWrite, Body()],
) -> Response:
    """A folder is its name: PUT and PATCH both rename it."""
    body = await service.rename_folder(session, user_id=user_id, folder_id=folder_id, data=data)
    return json_response(body)


@folders_router.patch(
    "/{folder_id:id}", response_model=FolderRead, summary="Rename a routine folder"
)
async def update_folder(
    folder_id: OwnedFolderId,
    session: SessionDep,
    user_id: CurrentUserId,
    data: Annotated[FolderWrite, Body()],
) -> Response:
    """Change the folder's `name`."""
    body = await service.rename_folder(session, user_id=user_id, folder_id=folder_id, data=data)
    return json_response(body)


@folders_router.delete(
    "/{folder_id:id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a routine folder",
)
async def delete_folder(
    folder_id: OwnedFolderId, session: SessionDep, user_id: CurrentUserId
) -> None:
    """Delete the folder; its routines move out of it (`folder_id` null) and stay."""
    await service.delete_folder(session, user_id=user_id, folder_id=folder_id)
