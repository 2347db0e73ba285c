import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ironlog.core.clock import utc_now
from ironlog.core.db import UTCDateTime, metadata


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


def _created_at(context: DefaultExecutionContext) -> datetime:
    created_at: datetime = context.get_current_parameters()["created_at"]  # type: ignore[no-untyped-call]
    return created_at


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # A new row's updated_at is its created_at, to the microsecond.
    updated_at: Mapped[datetime] = mapped_column(default=_created_at, onupdate=utc_now)


def new_id() -> uuid.UUID:
    return uuid.uuid4()
