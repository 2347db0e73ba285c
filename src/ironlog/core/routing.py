"""The request's unit of work.

Every API route runs inside one database transaction that commits *before* the response is sent,
so a client never receives a 201 for a write that was then lost. Polar's `AutoCommitAPIRoute` is
the model; docs/unit-of-work.md explains the rules.
"""

from collections.abc import Awaitable, Callable, Coroutine
from email.message import Message
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from ironlog.core.config import Settings
from ironlog.core.db import ReadSession
from ironlog.core.errors import BadRequest, DomainError, UnsupportedMediaType, problem_responses

BeforeCommit = Callable[[AsyncSession, Response], Awaitable[None]]
# A check that outranks any refusal of the request (422, 409...): a route whose session check
# is folded into a later statement registers it, so that an ended session is still a 401
# whatever else is wrong with the request.
BeforeRefusal = Callable[[ReadSession], Awaitable[None]]

# Path segments that name a route of their own beside an id parameter: `/exercises/system` next
# to `/exercises/{exercise_id}`, `/workouts/{id}/exercises/order` next to
# `/workouts/{id}/exercises/{exercise_id}`. An `{name:id}` parameter never matches them, so
# `PUT /exercises/system` is a 405 with `Allow: GET`, not a 422 for a malformed id. A test keeps
# this list complete.
RESERVED_SEGMENTS = ("body-parts", "modalities", "system", "my-exercises", "order")


class IdConvertor(Convertor[str]):
    """A path segment holding an id: anything but a reserved segment. The route validates it
    (a malformed UUID is a 422 `validation_error`)."""

    regex = "(?!(?:" + "|".join(RESERVED_SEGMENTS) + ")(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("id", IdConvertor())


def is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


EndpointT = TypeVar("EndpointT", bound=Callable[..., Any])


def read_only(endpoint: EndpointT) -> EndpointT:
    """Mark a route that only reads: it runs without a write transaction (docs/unit-of-work.md)."""
    endpoint.__ironlog_read_only__ = True  # type: ignore[attr-defined]
    return endpoint


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self.body_field is not None:
            # Every route with a body can answer 400 (unreadable body) and, for JSON, 415.
            takes_form = isinstance(self.body_field.field_info, params.Form)
            errors = (BadRequest,) if takes_form else (BadRequest, UnsupportedMediaType)
            for status, response in problem_responses(*errors).items():
                self.responses.setdefault(status, response)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_json = self.body_field is not None and not isinstance(
            self.body_field.field_info, params.Form
        )
        reads_only = getattr(self.endpoint, "__ironlog_read_only__", False)
        sessionmaker_name = "read_sessionmaker" if reads_only else "sessionmaker"

        async def run_in_unit_of_work(request: Request) -> Response:
            if (
                takes_json
                and await request.body()
                and not is_json(request.headers.get("content-type"))
            ):
                raise UnsupportedMediaType()
            before_commit: list[BeforeCommit] = []
            request.state.before_commit = before_commit
            before_refusal: list[BeforeRefusal] = []
            request.state.before_refusal = before_refusal
            async with getattr(request.app.state, sessionmaker_name)() as session:
                request.state.session = session
                try:
                    response = await handler(request)
                    _without_content_type_if_empty(response)
                except (DomainError, RequestValidationError) as error:
                    for check in before_refusal:
                        await check(session)
                    if isinstance(error, DomainError) and error.persist_changes and not reads_only:
                        await session.commit()
                    raise
                if reads_only:  # nothing to commit: closing the session ends it
                    return response
                for hook in before_commit:
                    await hook(session, response)
                await session.commit()
            return response

        return run_in_unit_of_work


def _without_content_type_if_empty(response: Response) -> None:
    """A 204 or 304 has no content, so no `Content-Type` (FastAPI's response class sets one)."""
    if response.status_code in {204, 304} and "content-type" in response.headers:
        del response.headers["content-type"]


def api_router(**kwargs: Any) -> APIRouter:
    """An `APIRouter` whose routes run in the unit of work."""
    return APIRouter(route_class=UnitOfWorkRoute, **kwargs)


async def end_reads(session: AsyncSession) -> None:
    """End the transaction the route's dependencies opened to read (authentication), before a
    long computation such as parsing an upload. On SQLite every request transaction holds the
    write lock from its first statement; without this, others' writes would wait for the
    computation. The next statement begins a new transaction, which the unit of work commits
    as usual. Only for routes that have written nothing yet."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reads() after a change: it would commit the change early")
    await session.commit()


async def get_session(request: Request) -> AsyncSession:
    session = request.state.session
    if not isinstance(session, AsyncSession):
        # A `@read_only` route's session cannot write: its route must take `ReadSessionDep`.
        raise TypeError("a @read_only route (or its dependency) asked for SessionDep")
    return session


async def get_read_session(request: Request) -> ReadSession:
    session: ReadSession = request.state.session
    return session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
# The session of any route, typed so that mypy refuses a write (`core.db.ReadSession`): a
# `@read_only` route's is a `core.db.ReadOnlySession`, a writing route's its `AsyncSession`.
ReadSessionDep = Annotated[ReadSession, Depends(get_read_session)]


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]
