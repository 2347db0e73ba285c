import uuid
from datetime import datetime

from sqlalchemy import String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id


class User(Timestamped, Base):
    __tablename__ = "app_user"
    __table_args__ = (UniqueConstraint("google_issuer", "google_subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Stored lower-cased (see docs/decisions.md), so a plain unique index is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    google_issuer: Mapped[str | None] = mapped_column(String(255))
    google_subject: Mapped[str | None] = mapped_column(String(255))
    email_verified: Mapped[bool] = mapped_column(default=False)
    # The user's change counter: advanced by every write to their synced data, in the writing
    # transaction (docs/sync.md). Never read by the ORM path of a write.
    change_seq: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Administrators manage accounts and invites (docs/administration.md).
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A disabled account cannot sign in; disabling it ends all its sessions.
    disabled_at: Mapped[datetime | None]

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def google_linked(self) -> bool:
        return self.google_subject is not None
