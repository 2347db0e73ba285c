import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id
from ironlog.models.synced import Synced


class WorkoutStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class Workout(Synced, Timestamped, Base):
    __tablename__ = "workout"
    __table_args__ = (
        CheckConstraint("status IN ('in_progress', 'finished')", name="status"),
        CheckConstraint(
            "finished_at IS NULL OR finished_at >= started_at", name="finished_after_start"
        ),
        UniqueConstraint("user_id", "source", "source_key"),
        Index(None, "user_id", "started_at", "id"),
        # The last time a routine was done (progression when it is started again).
        Index(None, "routine_id", "started_at"),
        Index(None, "user_id", "change_seq"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[WorkoutStatus] = mapped_column(String(16), default=WorkoutStatus.IN_PROGRESS)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # The routine it was started from; deleting the routine keeps the workout (null).
    routine_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routine.id", ondelete="SET NULL")
    )
    source: Mapped[str | None] = mapped_column(String(32))
    source_key: Mapped[str | None] = mapped_column(String(255))
    # Bumped by every change to the workout or its tree; the ETag is built from it.
    version: Mapped[int] = mapped_column(default=1)
