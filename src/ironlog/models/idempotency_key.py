import uuid

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped


class IdempotencyKey(Timestamped, Base):
    """The stored 2xx response of a POST sent with an `Idempotency-Key`, replayed on retry."""

    __tablename__ = "idempotency_key"
    __table_args__ = (Index(None, "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_headers: Mapped[str] = mapped_column(String(2000))
    response_body: Mapped[bytes] = mapped_column(LargeBinary)
