import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base


class SyncTombstone(Base):
    """A deleted object, kept for the change feed (docs/sync.md) until the retention ends.

    One row per user and object: deleting an object again (after it was recreated with the same
    client-chosen id) moves its tombstone to the new change.
    """

    __tablename__ = "sync_tombstone"
    __table_args__ = (Index(None, "user_id", "change_seq"), Index(None, "deleted_at"))

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    change_seq: Mapped[int]
    deleted_at: Mapped[datetime]
