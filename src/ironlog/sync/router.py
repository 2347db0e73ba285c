from typing import Annotated

from fastapi import Query
from starlette.responses import Response

from ironlog.auth.dependencies import Reader
from ironlog.core.errors import NotAuthenticated, problem_responses
from ironlog.core.json import json_response
from ironlog.core.routing import SettingsDep, api_router, read_only
from ironlog.core.schemas import NO_NUL
from ironlog.sync import service
from ironlog.sync.errors import InvalidCursor
from ironlog.sync.schemas import SyncPage

router = api_router(tags=["sync"], responses=problem_responses(NotAuthenticated))


@router.get(
    "/sync",
    response_model=SyncPage,
    summary="Changes since your last sync",
    responses=problem_responses(InvalidCursor),
)
@read_only
async def read_changes(
    read: Reader,
    settings: SettingsDep,
    cursor: Annotated[
        str | None,
        Query(
            pattern=NO_NUL,
            description="The `cursor` of your last page; omit it (or send it empty) for a "
            "snapshot of everything you have.",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Changes per page at most.")] = 500,
) -> Response:
    """The change feed that keeps an offline copy of your data: workouts (with their exercises
    and sets), your own exercises and body measurements (routines, routine folders and
    preferences as they arrive).

    Without a cursor: every object you have, as `upsert` changes, then a cursor. With a cursor:
    every change committed after it, oldest first, each object at most once (its latest state):
    `upsert` with the object exactly as its GET route returns it, or `delete`. Follow
    `has_more` with the new `cursor` until it is false; keep the last cursor for next time. A
    change is never skipped, whatever the order in which concurrent writes commit. A cursor older
    than the retention (90 days by default) answers `reset: true` and a new snapshot. A cursor
    that was not issued to you is 422 `invalid_cursor`."""
    page = await service.read_page(
        read.session, settings=settings, caller=read.caller, cursor_text=cursor or None, limit=limit
    )
    return json_response(
        {
            "changes": page.changes,
            "cursor": page.cursor,
            "has_more": page.has_more,
            "reset": page.reset,
        }
    )
