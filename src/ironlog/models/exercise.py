import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from ironlog.core.text import SEARCH_KEY_MAX, search_key
from ironlog.models.base import Base, Timestamped, new_id
from ironlog.models.synced import Synced


class Modality(enum.StrEnum):
    BARBELL = "BARBELL"
    DUMBBELL = "DUMBBELL"
    CABLE = "CABLE"
    MACHINE = "MACHINE"
    BODYWEIGHT = "BODYWEIGHT"


# The comparison key compares and sorts by code point on both databases: SQLite's default
# (BINARY) and PostgreSQL's "C" collation, whatever collation the database was created with.
NameKey = String(400).with_variant(String(400, collation="C"), "postgresql")
SearchKey = String(SEARCH_KEY_MAX).with_variant(String(SEARCH_KEY_MAX, collation="C"), "postgresql")


def _search_key(context: DefaultExecutionContext) -> str:
    """A new row's search key when the insert gives none: its name's (a custom exercise has no
    aliases; the library loader passes the system exercises' own)."""
    name: str = context.get_current_parameters()["name"]  # type: ignore[no-untyped-call]
    return search_key([name])


class Exercise(Synced, Timestamped, Base):
    __tablename__ = "exercise"
    __table_args__ = (
        CheckConstraint(
            "modality IN ('BARBELL', 'DUMBBELL', 'CABLE', 'MACHINE', 'BODYWEIGHT')",
            name="modality",
        ),
        # Names are unique among the system library and, separately, among each user's own
        # exercises; docs/exercises.md explains why the cross-check is in the service.
        Index(
            "uq_exercise_system_name_key",
            "name_key",
            unique=True,
            sqlite_where=text("user_id IS NULL"),
            postgresql_where=text("user_id IS NULL"),
        ),
        Index("uq_exercise_user_id_name_key", "user_id", "name_key", unique=True),
        # Every read is scoped to "system or mine" (user_id IS NULL OR user_id = :me), so the
        # filters' indexes lead with user_id; docs/exercises.md has the measurements.
        Index(None, "user_id", "body_part"),
        Index(None, "user_id", "modality"),
        # Search matches `search_key` with LIKE patterns among "system or mine": this index can
        # answer that from the index alone for a user with many exercises (docs/exercises.md).
        Index(None, "user_id", "search_key"),
        # No index on (user_id, change_seq) for the sync feed: a user has few exercises of their
        # own, and the indexes above lead with user_id (docs/sync.md).
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # The name folded for comparison: case-folded, inner whitespace collapsed.
    name_key: Mapped[str] = mapped_column(NameKey)
    # The name and its aliases folded for search (core/text.py): kept by the service on create
    # and rename, by the library loader for the system exercises.
    # ('' only for a row inserted by raw SQL, which search then never finds.)
    search_key: Mapped[str] = mapped_column(
        SearchKey, default=_search_key, server_default=text("''")
    )
    body_part: Mapped[str] = mapped_column(String(50))
    modality: Mapped[Modality] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(String(2000))

    @property
    def is_system(self) -> bool:
        return self.user_id is None
