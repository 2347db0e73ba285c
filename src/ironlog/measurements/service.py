"""Body measurements: one entry per user and local date, created or replaced whole.

Every change of an entry goes through `put` or `delete`, so whatever must follow a change (the
sync feed) hooks these two functions.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import service as auth_service
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.changes import record as changes
from ironlog.core.db import ReadSession
from ironlog.core.pagination import PageRequest, page_dict
from ironlog.measurements import repository
from ironlog.measurements.errors import MeasurementNotFound
from ironlog.measurements.schemas import MeasurementWrite
from ironlog.models import BodyMeasurement


@dataclass(frozen=True, slots=True)
class Saved:
    entry: BodyMeasurement
    created: bool


async def get(
    session: ReadSession, *, caller: ClaimedPrincipal, measurement_date: date
) -> BodyMeasurement:
    """The caller's entry of that date, the session checked by the same statement: one round
    trip. When nothing came back, the refusal checks the session first (`auth.dependencies.
    Reader`): an ended session is 401, a date without an entry 404."""
    entry = await repository.get_for(session, caller, measurement_date)
    if entry is None:
        raise MeasurementNotFound()
    return entry


async def list_measurements(
    session: ReadSession,
    *,
    caller: ClaimedPrincipal,
    date_from: date | None,
    date_to: date | None,
    page: PageRequest,
) -> dict[str, object]:
    """A page of the caller's entries in the range, newest date first."""
    entries, total = auth_service.checked(
        await repository.list_page(session, caller, date_from=date_from, date_to=date_to, page=page)
    )
    return page_dict(entries, total, page)


async def put(
    session: AsyncSession, *, user_id: uuid.UUID, measurement_date: date, data: MeasurementWrite
) -> Saved:
    """Create the entry of `measurement_date`, or replace every value of the existing one (its
    id and `created_at` stay)."""
    values = {**data.model_dump(), "change_seq": await changes.next_seq(session, user_id)}
    entry = await repository.get(session, user_id, measurement_date, for_update=True)
    if entry is None:
        entry = BodyMeasurement(user_id=user_id, measurement_date=measurement_date, **values)
        try:
            async with session.begin_nested():
                await repository.add(session, entry)
        except IntegrityError:
            # Another request created this date meanwhile: this one replaces it.
            entry = await repository.get(session, user_id, measurement_date, for_update=True)
            if entry is None:
                raise
        else:
            return Saved(entry, created=True)
    for name, value in values.items():
        setattr(entry, name, value)
    await session.flush()
    return Saved(entry, created=False)


async def delete(session: AsyncSession, *, user_id: uuid.UUID, measurement_date: date) -> None:
    entry = await repository.get(session, user_id, measurement_date, for_update=True)
    if entry is None:
        raise MeasurementNotFound()
    await repository.delete(session, entry)
    await changes.record_delete(
        session, user_id=user_id, entity="body_measurement", entity_ids=[entry.id]
    )
