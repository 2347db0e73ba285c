import uuid

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id


class LoginFailure(Timestamped, Base):
    """A failed login, counted per email and per client address for throttling.

    Kept in the database so that every server process sees the same counts.
    """

    __tablename__ = "login_failure"
    __table_args__ = (Index(None, "scope", "subject", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(8))  # "email" or "client"
    subject: Mapped[str] = mapped_column(String(254))
