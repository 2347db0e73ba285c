import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id


class Invite(Timestamped, Base):
    """A single-use invitation to register while `IRONLOG_REGISTRATION=invite`.

    Only the SHA-256 of the token is kept; the link holding the token is shown once.
    """

    __tablename__ = "invite"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime]
    # Set, with the new account, by the registration that used it.
    used_at: Mapped[datetime | None]
    used_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
