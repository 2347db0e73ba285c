"""A read-only session is a type mypy tells apart from the writing one (core.db.ReadSession)."""

from pathlib import Path

from mypy import api

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
