"""The request's unit of work.

Every API route runs inside one database transaction that commits *before* the response is sent,
so a client never receives a 201 for a write that was then lost. Polar's `AutoCommitAPIRoute` is
the model; docs/unit-of-work.md explains the rules.
"""

from collections.abc import Awaitable, Callable, Coroutine
from email.message import Message
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request, params
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
            session = getattr(request.app.state, sessionmaker_name)()
            request.state.session = session
            try:
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
                if not _untouched(session):
                    await session.commit()
            finally:
                if reads_only or not _untouched(session):
                    await session.close()
            return response

        return run_in_unit_of_work


def _untouched(session: AsyncSession) -> bool:
    """A write session that never began a transaction and holds no object: nothing to commit
    or close (a create whose one write ran alone, `core.db.write_in_one_statement`), and
    committing or closing it would still cost a greenlet each."""
    return not (session.in_transaction() or session.new or session.identity_map)


def _without_content_type_if_empty(response: Response) -> None:
    """A 204 or 304 has no content, so no `Content-Type` (FastAPI's response class sets one)."""
    if response.status_code in {204, 304} and "content-type" in response.headers:
        del response.headers["content-type"]


def api_router(**kwargs: Any) -> APIRouter:
    """An `APIRouter` whose routes run in the unit of work."""
    return APIRouter(route_class=UnitOfWorkRoute, **kwargs)


def include_flat(
    app: FastAPI,
    router: APIRouter,
    *,
    prefix: str = "",
    responses: dict[int | str, dict[str, Any]] | None = None,
) -> None:
    """Add `router`'s routes to the application's own router, each under `prefix` and with
    `responses`, as `app.include_router` would, but as plain routes of the application.

    `include_router` keeps the included router as a branch that every request walks: its
    routes are matched once to choose the branch and again to choose the route, with FastAPI's
    bookkeeping around each attempt. For a workout read that was 8% of the server's
    instructions (docs/workouts.md). Flat, a request is matched once against a list.
    The routes keep everything the router gave them (tags, responses, dependencies, route
    class); the application gives what `include_router` would (operation ids, the provider of
    dependency overrides). The OpenAPI document is the same either way (a test compares).
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):  # a nested router, a mount: include_router's job
            raise TypeError(f"include_flat takes API routes only, not {route!r}")
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses={**(responses or {}), **route.responses},
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            route_class_override=type(route),
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
            strict_content_type=route.strict_content_type,
            max_body_size=route.max_body_size,
            form_limits=route.form_limits,
        )


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
