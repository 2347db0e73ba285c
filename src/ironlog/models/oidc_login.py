import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.models.base import Base, Timestamped, new_id


class OidcLogin(Timestamped, Base):
    """A Google sign-in in flight: the single-use state, nonce and PKCE verifier.

    In the database so that whichever server process receives the callback can finish it.
    """

    __tablename__ = "oidc_login"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    # Set when a signed-in user links Google to their account.
    link_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE")
    )
    # Started by IronLog's web app (`?client=web`, `link-start`): the callback answers with the
    # refresh cookie and a redirect into the app instead of JSON (docs/web-sessions.md).
    web: Mapped[bool] = mapped_column(default=False, server_default=false())
    expires_at: Mapped[datetime]
