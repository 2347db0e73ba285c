"""exercise search key: the folded name (and aliases) search matches, and its indexes

Revision ID: 4b7e1f0c9a2d
Revises: a1d3e5f70b92
Create Date: 2026-12-07 09:00:00.000000+00:00

Adds `exercise.search_key` (NOT NULL, '' until filled: a plain ALTER TABLE ADD COLUMN on both
databases, as in 0002_sync), fills it from each exercise's name, and adds the index
`(user_id, search_key)`. The system exercises' aliases are not known here: the library loader,
which `ironlog serve` runs right after the migrations, adds them to the key.

On PostgreSQL it also tries `CREATE EXTENSION pg_trgm` (trusted since PostgreSQL 13: the
database owner may run it) in a savepoint: search's typo pass uses its `word_similarity` to
narrow the candidates, and does without it. No trigram index: measured, it made searches slower
(docs/exercises.md). Downgrading drops the index and the column, not the extension.

The folding below is a frozen copy of `ironlog.core.text` as of this revision (migrations
import nothing of the app); `tests/exercises/test_search_key_migration.py` checks they agree.
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4b7e1f0c9a2d"
down_revision: str | None = "a1d3e5f70b92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_KEY_MAX = 600
USER_INDEX = "ix_exercise_user_id_search_key"
BATCH = 5000

_WORD = re.compile(r"[^\W_]+")
_APOSTROPHES = re.compile(r"(?<=\w)['’](?=\w)")
_SPELLED_OUT = {"db": "dumbbell", "bb": "barbell", "kb": "kettlebell"}
_IRREGULAR = {"calves": "calf", "halves": "half", "feet": "foot", "teeth": "tooth"}


def _singular(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) < 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zzes", "yes")):
        return word[:-2]
    return word[:-1]


def _search_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = _APOSTROPHES.sub("", plain.casefold())
    words = [_SPELLED_OUT.get(word, word) for word in map(_singular, _WORD.findall(plain))]
    key = "|"
    form = "".join(words)
    if form and len(key) + len(form) + 1 <= SEARCH_KEY_MAX:
        key += f"{form}|"
    starts = ("".join(words[index:]) for index in range(1, len(words)))
    for start in dict.fromkeys(start for start in starts if start):
        if len(key) + len(start) + 1 > SEARCH_KEY_MAX:
            break
        key += f" {start}"
    return key


def _search_key_type() -> sa.types.TypeEngine[str]:
    return sa.String(SEARCH_KEY_MAX).with_variant(
        sa.String(SEARCH_KEY_MAX, collation="C"), "postgresql"
    )


def _backfill(connection: sa.Connection) -> None:
    exercise = sa.table(
        "exercise", sa.column("id", sa.Uuid()), sa.column("name"), sa.column("search_key")
    )
    rows = connection.execute(sa.select(exercise.c.id, exercise.c.name)).all()
    statement = (
        sa.update(exercise)
        .where(exercise.c.id == sa.bindparam("row_id"))
        .values(search_key=sa.bindparam("key"))
    )
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        connection.execute(
            statement, [{"row_id": row.id, "key": _search_key(row.name)} for row in batch]
        )


def _try_trigrams(connection: sa.Connection) -> None:
    savepoint = connection.begin_nested()
    try:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        savepoint.rollback()  # not installed on the server, or not allowed: search does without
        return
    savepoint.commit()


def upgrade() -> None:
    op.add_column(
        "exercise",
        sa.Column("search_key", _search_key_type(), server_default=sa.text("''"), nullable=False),
    )
    connection = op.get_bind()
    _backfill(connection)
    op.create_index(USER_INDEX, "exercise", ["user_id", "search_key"], unique=False)
    if connection.dialect.name == "postgresql":
        _try_trigrams(connection)


def downgrade() -> None:
    op.drop_index(USER_INDEX, table_name="exercise")
    # SQLite >= 3.35 drops a column in place (Alembic's op.drop_column would copy the table).
    op.execute(sa.text("ALTER TABLE exercise DROP COLUMN search_key"))
