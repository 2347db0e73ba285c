import uuid

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id


class Routine(Timestamped, Base):
    """A workout template: exercises with target sets, in the user's order of routines."""

    __tablename__ = "routine"
    __table_args__ = (Index(None, "user_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    # Deleting a folder moves its routines out of it (the service does it and bumps their
    # versions; SET NULL covers deletions the service does not see).
    folder_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("routine_folder.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(String(2000))
    position: Mapped[int]
    # Bumped by every change to the routine or its tree; the ETag is built from it.
    version: Mapped[int] = mapped_column(default=1)
