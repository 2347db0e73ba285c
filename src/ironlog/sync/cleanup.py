"""Deleting the tombstones the feed no longer needs, while the server keeps serving: a task in
every server process's lifespan, and `ironlog sync cleanup` for cron (docs/sync.md)."""

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ironlog.core.config import Settings
from ironlog.core.db import session_scope
from ironlog.sync import service

logger = structlog.get_logger("ironlog.sync")


async def run_once(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """One clean-up in a transaction of its own; returns how many tombstones went. A plain
    indexed DELETE: it locks only the rows it deletes, so writers are not held up."""
    async with session_scope(sessionmaker) as session:
        deleted = await service.delete_expired_tombstones(session, settings=settings)
    if deleted:
        logger.info("sync_tombstones_deleted", count=deleted)
    return deleted


async def run_periodically(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Clean up now and then every `sync_cleanup_interval_seconds`, until cancelled. A failed
    round (the database is away) is logged and tried again at the next one."""
    while True:
        try:
            await run_once(sessionmaker, settings)
        except Exception:
            logger.warning("sync_cleanup_failed", exc_info=True)
        await asyncio.sleep(settings.sync_cleanup_interval_seconds)
