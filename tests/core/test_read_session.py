"""A read-only session is a type mypy tells apart from the writing one (core.db.ReadSession)."""

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, get_args, get_origin, get_type_hints

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from mypy import api
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.routing import get_session
from ironlog.main import create_app
from tests.conftest import make_settings

WRITES_IN_A_READ = """
from sqlalchemy import select, update

from ironlog.core.db import ReadSession
from ironlog.models import Workout


async def route(session: ReadSession) -> None:
    await session.execute(select(Workout.id))  # a read: fine
    session.add(Workout())
    await session.delete(Workout())
    await session.flush()
    await session.commit()
    await session.execute(update(Workout).values(name="x"))
"""


def test_mypy_refuses_a_write_through_a_read_session(tmp_path: Path) -> None:
    module = tmp_path / "read_route.py"
    module.write_text(WRITES_IN_A_READ)
    report, _, status = api.run(["--strict", "--no-error-summary", str(module)])
    errors = [line for line in report.splitlines() if ": error:" in line]
    assert status == 1
    assert len(errors) == 5, report
    for name in ("add", "delete", "flush", "commit"):
        assert any(f'"ReadSession" has no attribute "{name}"' in line for line in errors), report
    assert any('"execute" of "ReadSession"' in line for line in errors), report


def read_only_routes(tmp_path: Path) -> Iterator[tuple[str, APIRoute]]:
    """The application's `@read_only` routes, with their full paths."""
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'unused.db'}", tmp_path))
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and getattr(route.endpoint, "__ironlog_read_only__", False):
            yield context.path, route


def test_every_read_only_route_takes_the_read_session(tmp_path: Path) -> None:
    """A `@read_only` route's own parameters never include the writing session (`SessionDep`):
    its service calls then type-check against `ReadSession` (the route runs on a read-only
    connection anyway, but mypy should say so before a write reaches it)."""
    paths = []
    for path, route in read_only_routes(tmp_path):
        paths.append(path)
        hints = get_type_hints(route.endpoint, include_extras=True)
        for name, hint in hints.items():
            base = get_args(hint)[0] if get_origin(hint) is Annotated else hint
            assert base is not AsyncSession, f"{path}: {name} is the writing session"
    assert "/api/v1/admin/users" in paths
    assert "/api/v1/workouts/{workout_id}" in paths


def test_no_read_only_route_depends_on_the_writing_session(tmp_path: Path) -> None:
    """Nor do their dependencies, however deep: a read-only route runs on a `ReadOnlySession`,
    which `get_session` (`SessionDep`) refuses at run time; this finds such a route before a
    request does."""
    offenders = []
    for path, route in read_only_routes(tmp_path):
        pending = list(route.dependant.dependencies)
        while pending:
            dependant = pending.pop()
            if dependant.call is get_session:
                offenders.append(path)
            pending.extend(dependant.dependencies)
    assert offenders == []


async def test_the_writing_session_refuses_a_read_only_route() -> None:
    """The run-time guard itself: `get_session` hands out only a writing `AsyncSession`."""
    request = SimpleNamespace(state=SimpleNamespace(session=object()))
    with pytest.raises(TypeError, match="SessionDep"):
        await get_session(request)  # type: ignore[arg-type]
