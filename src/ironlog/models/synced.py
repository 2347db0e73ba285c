from sqlalchemy import text
from sqlalchemy.orm import Mapped, mapped_column


class Synced:
    """A table whose rows are in the change feed (docs/sync.md): `change_seq` is the user's
    change counter (`app_user.change_seq`) at the row's last change. A table that grows large
    also declares `Index(None, "user_id", "change_seq")`, which the feed reads by."""

    change_seq: Mapped[int] = mapped_column(default=0, server_default=text("0"))
