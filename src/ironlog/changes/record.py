"""Recording changes for the feed: the one call each write path makes (docs/sync.md).

A write to a user's synced data takes the user's next change number with `next_seq` and stores
it in the changed rows' `change_seq` column; a delete calls `record_delete`, which takes the
number and writes the tombstone. Taking the number updates the user's row, and that row lock is
held until the writing transaction commits: one user's changes commit in the order of their
numbers, which is what lets a client's cursor be a plain number that no change can slip under.
"""

import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, and_, bindparam, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler

from ironlog.core.clock import utc_now
from ironlog.core.db import Lead
from ironlog.models import SyncTombstone, User

_NEXT_SEQ = (
    update(User)
    .where(User.id == bindparam("user_id"))
    .values(change_seq=User.change_seq + 1)
    .returning(User.change_seq)
)


@dataclass(frozen=True, slots=True)
class Condition:
    """What taking a change number may depend on: an uncorrelated check, such as the caller's
    session being active, with the parameters that bind it. `returning`: what the statement
    also returns when it takes the number, read by the same statement (what the check looked
    at, say). Clauses are built once (at import): statements are cached by them."""

    clause: ColumnElement[bool]
    params: Mapping[str, Any]
    returning: tuple[ColumnElement[Any], ...] = ()

    def __and__(self, other: "Condition") -> "Condition":
        return Condition(
            _both(self.clause, other.clause),
            {**self.params, **other.params},
            self.returning + other.returning,
        )


@functools.cache
def _both(first: ColumnElement[bool], second: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(first, second)


@functools.cache
def _next_seq_where(condition: ColumnElement[bool] | None) -> Any:
    # Built once per condition: a statement built per call costs its cache key every time.
    return _NEXT_SEQ if condition is None else _NEXT_SEQ.where(condition)


async def next_seq_if(
    session: AsyncSession, user_id: uuid.UUID, condition: Condition | None
) -> int | None:
    """`next_seq`, only if `condition` holds: None when it does not, and nothing changed. One
    statement: a create folds its session check into it."""
    connection = await session.connection()
    params = {**(condition.params if condition else {}), "user_id": user_id}
    statement = _next_seq_where(condition and condition.clause)
    seq = (await connection.execute(statement, params)).scalar()
    return None if seq is None else int(seq)


@functools.cache
def _compiled_check(
    condition: ColumnElement[bool] | None,
    returning: tuple[ColumnElement[Any], ...],
    dialect: Dialect,
) -> SQLCompiler:
    statement = select(*returning) if returning else select()
    if condition is not None:
        statement = statement.where(condition)
    compiled: SQLCompiler = statement.compile(dialect=dialect)
    return compiled


# The lead of `next_seq_lead`, after its check (`allowed`): numbered from the check's last.
_PG_NEXT_SEQ_LEAD = (
    "UPDATE app_user SET change_seq = app_user.change_seq + 1, updated_at = ${}"
    " FROM allowed WHERE app_user.id = ${} RETURNING app_user.change_seq, allowed.*"
)


def next_seq_lead(dialect: Dialect, user_id: uuid.UUID, condition: Condition | None) -> Lead:
    """`next_seq_if` as the lead of an insert statement on PostgreSQL (`core.db.insert_led`):
    the rows it inserts take the number as their `change_seq`, and nothing is inserted when
    the condition does not hold. The condition is the lead's check, so rows inserted ahead of
    the number are checked too; the user's row stays locked until the transaction ends, as
    with `next_seq`. The lead's row is the number, then the condition's `returning`."""
    compiled = _compiled_check(
        condition and condition.clause, condition.returning if condition else (), dialect
    )
    # The condition may bind the user's id (the session's owner).
    params = condition.params if condition else {}
    values = compiled.construct_params({**params, "user_id": user_id})
    checked = tuple(values[name] for name in compiled.positiontup or ())
    numbers = len(checked) + 1, len(checked) + 2
    return Lead(
        _PG_NEXT_SEQ_LEAD.format(*numbers),
        (*checked, utc_now(), user_id),
        frozenset({"change_seq"}),
        check=compiled.string,
    )


async def next_seq(session: AsyncSession, user_id: uuid.UUID | ScalarSelect[Any]) -> int:
    """Advance the user's change counter and return it: one statement, and the user's row stays
    locked until this transaction ends. `user_id` may be a scalar subquery (the owner of a row).
    """
    connection = await session.connection()
    if isinstance(user_id, uuid.UUID):
        result = await connection.execute(_NEXT_SEQ, {"user_id": user_id})
    else:
        statement = (
            update(User)
            .where(User.id == user_id)
            .values(change_seq=User.change_seq + 1)
            .returning(User.change_seq)
        )
        result = await connection.execute(statement)
    return int(result.scalar_one())


# On PostgreSQL the counter and the tombstone are one statement.
_PG_RECORD_DELETES = text(
    """
    WITH bump AS (
        UPDATE app_user SET change_seq = change_seq + 1
        WHERE id = CAST(:user_id AS uuid) RETURNING change_seq
    )
    INSERT INTO sync_tombstone (user_id, entity, entity_id, change_seq, deleted_at)
    SELECT CAST(:user_id AS uuid), CAST(:entity AS varchar), entity_id, bump.change_seq,
           CAST(:deleted_at AS timestamptz)
    FROM bump, unnest(CAST(:entity_ids AS uuid[])) AS entity_id
    ON CONFLICT (user_id, entity, entity_id)
    DO UPDATE SET change_seq = excluded.change_seq, deleted_at = excluded.deleted_at
    """
)


def _upsert_tombstones(dialect_name: str) -> Any:
    statement = (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(
        SyncTombstone
    )
    return statement.on_conflict_do_update(
        index_elements=["user_id", "entity", "entity_id"],
        set_={
            "change_seq": statement.excluded.change_seq,
            "deleted_at": statement.excluded.deleted_at,
        },
    )


async def record_delete(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    entity: str,
    entity_ids: Sequence[uuid.UUID],
    seq: int | None = None,
) -> None:
    """Record that the user's objects `entity_ids` (of one `entity`) were deleted, under one
    new change number, or under `seq` when the transaction already took one (a delete that
    also changes other objects). Call it in the transaction that deletes them."""
    if not entity_ids:
        return
    connection = await session.connection()
    now = utc_now()
    if seq is None and connection.dialect.name == "postgresql":
        await connection.execute(
            _PG_RECORD_DELETES,
            {
                "user_id": user_id,
                "entity": entity,
                "entity_ids": list(entity_ids),
                "deleted_at": now,
            },
        )
        return
    if seq is None:
        seq = await next_seq(session, user_id)
    rows = [
        {
            "user_id": user_id,
            "entity": entity,
            "entity_id": entity_id,
            "change_seq": seq,
            "deleted_at": now,
        }
        for entity_id in entity_ids
    ]
    await connection.execute(_upsert_tombstones(connection.dialect.name), rows)
