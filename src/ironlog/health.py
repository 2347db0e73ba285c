"""Liveness and readiness, at the root (not under /api/v1)."""

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ironlog import __version__
from ironlog.core.errors import DatabaseUnavailable, problem_responses

router = APIRouter(tags=["health"])

READY_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"status": "ok"}})

    status: str


class Readiness(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"example": {"status": "ready", "version": "0.1.0"}}
    )

    status: str
    version: str = Field(description="The release this process runs (`ironlog --version`).")


@router.get("/health", response_model=Health, summary="Liveness")
async def health() -> Health:
    """200 `{"status": "ok"}` while the process serves requests; it does not touch the
    database."""
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness",
    responses=problem_responses(DatabaseUnavailable),
)
async def ready(request: Request) -> Readiness:
    """200 when the database answers a query within 2 seconds (with the release this process
    runs, so a rolling upgrade can be followed), else 503 `database_unavailable`."""
    probe = asyncio.ensure_future(_select_one(request.app.state.sessionmaker))
    await asyncio.wait({probe}, timeout=READY_TIMEOUT_SECONDS)
    if not probe.done():
        # Not awaited: on a database that hangs, the cancelled probe's rollback hangs too.
        probe.cancel()
        _abandoned.add(probe)
        probe.add_done_callback(_forget)
        raise DatabaseUnavailable()
    if probe.exception() is not None:  # any failure to answer means not ready
        raise DatabaseUnavailable() from probe.exception()
    return Readiness(status="ready", version=__version__)


async def _select_one(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        await session.execute(text("SELECT 1"))


_abandoned: set[asyncio.Future[None]] = set()


def _forget(probe: asyncio.Future[None]) -> None:
    _abandoned.discard(probe)
    if not probe.cancelled():
        probe.exception()  # retrieved, so asyncio does not log it
