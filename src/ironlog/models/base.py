import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ironlog.core.clock import utc_now
from ironlog.core.db import UTCDateTime, metadata


class Base(DeclarativeBase):
    metadata = metadata
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


def new_id() -> uuid.UUID:
    return uuid.uuid4()
