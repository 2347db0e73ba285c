import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id


class AuthSession(Timestamped, Base):
    """One sign-in: a family of refresh tokens. Access tokens carry its id as `sid`."""

    __tablename__ = "auth_session"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    revoked_at: Mapped[datetime | None]
