"""Liveness and readiness, at the root (not under /api/v1)."""

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import text

from ironlog import __version__
from ironlog.core.errors import DatabaseUnavailable, problem_responses

router = APIRouter(tags=["health"])

READY_TIMEOUT_SECONDS = 2.0


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"example": {"status": "ok", "version": "0.1.0"}})

    status: str
    version: str


@router.get("/health", response_model=Health, summary="Liveness")
async def health() -> Health:
    """200 while the process serves requests; it does not touch the database."""
    return Health(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Health,
    summary="Readiness",
    responses=problem_responses(DatabaseUnavailable),
)
async def ready(request: Request) -> Health:
    """200 when the database answers a query within 2 seconds, else 503
    `database_unavailable`."""
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            async with request.app.state.sessionmaker() as session:
                await session.execute(text("SELECT 1"))
    except Exception as error:  # any failure to answer means not ready
        raise DatabaseUnavailable() from error
    return Health(status="ready", version=__version__)
