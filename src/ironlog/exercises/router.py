import hashlib
from typing import Annotated, Any

from fastapi import Body, Header, Query, Request, Response, status
from pydantic import AfterValidator, BeforeValidator, StringConstraints, TypeAdapter

from ironlog.auth.dependencies import CurrentUserId, PublicReader, Reader
from ironlog.core.errors import NotAuthenticated, problem_responses
from ironlog.core.pagination import Page, PageParams
from ironlog.core.routing import ReadSessionDep, SessionDep, api_router, read_only
from ironlog.core.schemas import NO_NUL
from ironlog.exercises import service
from ironlog.exercises.dependencies import ExerciseId, OwnExercise
from ironlog.exercises.errors import (
    ExerciseInUse,
    ExerciseNameTaken,
    ExerciseNotFound,
    SystemExerciseReadOnly,
)
from ironlog.exercises.schemas import (
    BODY_PART_MAX,
    NAME_MAX,
    ExerciseCreate,
    ExerciseRead,
    ExerciseUpdate,
    normalise_body_part,
    refuse_nul,
)
from ironlog.models import Exercise, Modality

router = api_router(prefix="/exercises", tags=["exercises"])

_BAD_TOKEN = problem_responses(NotAuthenticated)
# Appended to the bearer requirement FastAPI derives: `{}` marks the token optional.
_WRITE_ERRORS = (NotAuthenticated, SystemExerciseReadOnly, ExerciseNotFound)


def _search_text(value: str | None) -> str | None:
    return None if value is None else refuse_nul(value)


def _body_part(value: str | None) -> str | None:
    return None if value is None else normalise_body_part(value)


def _upper_case(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


SearchText = Annotated[
    str | None,
    Query(
        max_length=NAME_MAX,
        pattern=NO_NUL,
        description="What the lifter typed: matched against the names and their aliases "
        "ignoring case, accents, spaces, hyphens, punctuation and plurals, and within a few "
        "typos when little matches as typed.",
        examples=["pull up"],
    ),
    AfterValidator(_search_text),
]
BodyPartFilter = Annotated[
    str | None,
    Query(
        description="Only this body part, in any case (see `GET /exercises/body-parts`).",
        examples=["chest"],
    ),
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=BODY_PART_MAX, pattern=NO_NUL
    ),
    AfterValidator(_body_part),
]
ModalityFilter = Annotated[
    Modality | None,
    Query(description="Only this modality, in any case (`barbell` is `BARBELL`)."),
    BeforeValidator(_upper_case),
]


def _json_example(example: Any) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": example}}}}


@router.get(
    "",
    response_model=Page[ExerciseRead],
    summary="Search the exercises",
    responses=_BAD_TOKEN,
)
@read_only
async def search_exercises(
    *,
    read: PublicReader,
    page: PageParams,
    q: SearchText = None,
    body_part: BodyPartFilter = None,
    modality: ModalityFilter = None,
) -> dict[str, object]:
    """Public. Without a token: the system library; with one, the system library and the
    caller's own exercises (an invalid token is a 401, not an anonymous search). `q` matches the
    names and aliases lifters type ("ohp", "pullup", "rdl") ignoring case, accents, spaces,
    hyphens, punctuation and plurals; the best match comes first: the whole name or an alias,
    then its start, then a word's start, then anywhere, then within a few typos, each rank by
    name. Without `q`, sorted by name ignoring case, then by id. `body_part` and `modality`
    ignore case. Paged with `page` and `size`."""
    return await service.search(
        read.session, caller=read.caller, q=q, body_part=body_part, modality=modality, page=page
    )


@router.get(
    "/body-parts",
    response_model=list[str],
    summary="List the body parts",
    responses={**_json_example(["back", "biceps", "chest", "core"]), **_BAD_TOKEN},
)
@read_only
async def list_body_parts(read: PublicReader) -> list[str]:
    """The distinct body parts of the exercises the caller can see (the system library's
    vocabulary, plus those of the caller's own exercises), sorted; a plain array, not paged."""
    return await service.body_parts(read.session, caller=read.caller)


@router.get(
    "/modalities",
    response_model=list[Modality],
    summary="List the modalities",
    responses=_json_example([modality.value for modality in Modality]),
)
async def list_modalities() -> list[Modality]:
    """The five modalities an exercise can have, as a plain array."""
    return list(Modality)


_SYSTEM_PAGE: TypeAdapter[Page[ExerciseRead]] = TypeAdapter(Page[ExerciseRead])


def _none_match(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): `*`, or any listed tag equal once `W/` is dropped."""
    candidates = [candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


@router.get(
    "/system",
    response_model=Page[ExerciseRead],
    summary="List the system library",
    responses={
        200: {
            "headers": {
                "ETag": {"description": "A hash of the page.", "schema": {"type": "string"}}
            }
        },
        304: {"description": "`If-None-Match` names the page's current ETag: nothing changed."},
    },
)
async def list_system_exercises(
    session: ReadSessionDep,
    page: PageParams,
    if_none_match: Annotated[
        str | None,
        Header(description="The ETag of the page you have: 304 when it is still current."),
    ] = None,
) -> Response:
    """Public. The exercises that ship with IronLog, sorted by name; paged. Not in the sync feed
    (it is the same for everyone and changes only with IronLog's version): each page has an
    `ETag` (a hash of its content), and a client that sends it back as `If-None-Match` gets a
    bodiless 304 while the page is unchanged."""
    result = await service.list_system(session, page=page)
    body = _SYSTEM_PAGE.dump_json(_SYSTEM_PAGE.validate_python(result, from_attributes=True))
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match is not None and _none_match(if_none_match, etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    "/my-exercises",
    response_model=Page[ExerciseRead],
    summary="List your own exercises",
    responses=_BAD_TOKEN,
)
@read_only
async def list_my_exercises(read: Reader, page: PageParams) -> dict[str, object]:
    """The caller's custom exercises only, sorted by name; paged. Needs a token."""
    return await service.list_own(read.session, caller=read.caller, page=page)


@router.get(
    "/{exercise_id:id}",
    response_model=ExerciseRead,
    summary="Get an exercise",
    responses=problem_responses(NotAuthenticated, ExerciseNotFound),
)
@read_only
async def get_exercise(exercise_id: ExerciseId, read: PublicReader) -> Exercise:
    """Public for system exercises; a custom exercise only for its owner. Another user's
    exercise is a 404, exactly like one that does not exist."""
    return await service.get_visible_for(read.session, caller=read.caller, exercise_id=exercise_id)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ExerciseRead,
    summary="Create a custom exercise",
    responses=problem_responses(NotAuthenticated, ExerciseNameTaken),
)
async def create_exercise(
    request: Request,
    response: Response,
    session: SessionDep,
    user_id: CurrentUserId,
    data: Annotated[ExerciseCreate, Body()],
) -> Exercise:
    """Add an exercise of your own. Its name must differ, ignoring case and repeated spaces,
    from every system exercise and every one of yours (409 `exercise_name_taken`). Answers 201
    with `Location: /api/v1/exercises/{id}`."""
    exercise = await service.create(session, user_id=user_id, data=data)
    response.headers["Location"] = str(
        request.app.url_path_for("get_exercise", exercise_id=str(exercise.id))
    )
    return exercise


@router.put(
    "/{exercise_id:id}",
    response_model=ExerciseRead,
    summary="Replace a custom exercise",
    responses=problem_responses(*_WRITE_ERRORS, ExerciseNameTaken),
)
async def replace_exercise(
    session: SessionDep, exercise: OwnExercise, data: Annotated[ExerciseCreate, Body()]
) -> Exercise:
    """Replace every field of one of your exercises (the body of `POST`; a missing
    `description` clears it). A system exercise is 403 `system_exercise_read_only`; another
    user's is 404, whatever the body."""
    return await service.replace(session, exercise=exercise, data=data)


@router.patch(
    "/{exercise_id:id}",
    response_model=ExerciseRead,
    summary="Change a custom exercise",
    responses=problem_responses(*_WRITE_ERRORS, ExerciseNameTaken),
)
async def update_exercise(
    session: SessionDep, exercise: OwnExercise, data: Annotated[ExerciseUpdate, Body()]
) -> Exercise:
    """Change the fields sent and keep the others; `description: null` clears the
    description. The same rules as `PUT`."""
    return await service.update(session, exercise=exercise, data=data)


@router.delete(
    "/{exercise_id:id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a custom exercise",
    responses=problem_responses(*_WRITE_ERRORS, ExerciseInUse),
)
async def delete_exercise(session: SessionDep, exercise: OwnExercise) -> None:
    """Delete one of your exercises. One still used in any of your workouts or routines is 409
    `exercise_in_use`: remove it from those first."""
    await service.delete(session, exercise=exercise)
