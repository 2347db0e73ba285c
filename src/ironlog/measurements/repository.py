"""Every query of body measurements. An entry is addressed by its owner and its date."""

import uuid
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository as auth_repository
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.core.db import ReadSession
from ironlog.core.pagination import PageRequest
from ironlog.models import BodyMeasurement


def owned_by(user_id: uuid.UUID) -> ColumnElement[bool]:
    return BodyMeasurement.user_id == user_id


def _on(user_id: uuid.UUID, measurement_date: date) -> Select[BodyMeasurement]:
    return select(BodyMeasurement).where(
        owned_by(user_id), BodyMeasurement.measurement_date == measurement_date
    )


async def get(
    session: ReadSession, user_id: uuid.UUID, measurement_date: date, *, for_update: bool = False
) -> BodyMeasurement | None:
    statement = _on(user_id, measurement_date)
    if for_update:  # PostgreSQL locks the row; SQLite's write transaction already excludes others
        statement = statement.with_for_update()
    entry: BodyMeasurement | None = await session.scalar(statement)
    return entry


def _in_range(
    user_id: uuid.UUID, date_from: date | None, date_to: date | None
) -> list[ColumnElement[bool]]:
    criteria = [owned_by(user_id)]
    if date_from is not None:
        criteria.append(BodyMeasurement.measurement_date >= date_from)
    if date_to is not None:
        criteria.append(BodyMeasurement.measurement_date <= date_to)
    return criteria


async def get_for(
    session: ReadSession, principal: ClaimedPrincipal, measurement_date: date
) -> BodyMeasurement | None:
    """The caller's entry of that date, read with the session check: None when there is none
    or the session has ended."""
    statement = _on(principal.user_id, measurement_date).where(auth_repository.ACTIVE_SESSION)
    entry: BodyMeasurement | None = await session.scalar(statement, principal.params())
    return entry


async def list_page(
    session: ReadSession,
    principal: ClaimedPrincipal,
    *,
    date_from: date | None,
    date_to: date | None,
    page: PageRequest,
) -> tuple[list[BodyMeasurement], int] | None:
    """A page of the caller's entries in the range, newest first, and the total, the session
    checked in the same statement; None when it has ended."""
    criteria = _in_range(principal.user_id, date_from, date_to)
    items = (
        select(BodyMeasurement)
        .where(*criteria)
        .order_by(BodyMeasurement.measurement_date.desc())
        .offset(page.offset)
        .limit(page.size)
    )
    count = select(func.count()).select_from(BodyMeasurement).where(*criteria)
    found = await auth_repository.fetch_page_checked(session, principal, items, count)
    if found is None:
        return None
    rows, total = found
    return [row[0] for row in rows], total


async def all_of(session: AsyncSession, user_id: uuid.UUID) -> Sequence[BodyMeasurement]:
    """Every entry of the user, oldest first (the export)."""
    statement = (
        select(BodyMeasurement).where(owned_by(user_id)).order_by(BodyMeasurement.measurement_date)
    )
    return (await session.scalars(statement)).all()


async def existing_dates(
    session: AsyncSession, user_id: uuid.UUID, dates: Collection[date]
) -> set[date]:
    if not dates:
        return set()
    statement = select(BodyMeasurement.measurement_date).where(
        owned_by(user_id), BodyMeasurement.measurement_date.in_(dates)
    )
    return set((await session.scalars(statement)).all())


async def add(session: AsyncSession, entry: BodyMeasurement) -> None:
    session.add(entry)
    await session.flush()


async def delete(session: AsyncSession, entry: BodyMeasurement) -> None:
    await session.delete(entry)
    await session.flush()
