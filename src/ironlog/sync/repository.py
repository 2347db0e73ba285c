"""The feed's queries: the user's current change number, the keys of the next changes, and
the clean-up of old tombstones. Statements are built once (`core.db.fetch_all`)."""

import functools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Integer,
    String,
    Uuid,
    bindparam,
    delete,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.auth import repository as auth_repository
from ironlog.auth.principal import ClaimedPrincipal
from ironlog.changes.ranges import ChangeKey
from ironlog.core.db import ReadSession, fetch_all
from ironlog.models import SyncTombstone, User
from ironlog.sync.cursor import MAX_ID, NIL_ID

# With the caller's session check: the feed's first query, so a poll that finds nothing new is
# one round trip.
_CURRENT_SEQ = select(User.change_seq).where(
    User.id == bindparam("user_id"), auth_repository.ACTIVE_SESSION
)


async def current_seq(session: ReadSession, principal: ClaimedPrincipal) -> int | None:
    """The caller's last change number (0 before any change); None when the caller's session
    has ended."""
    rows = await fetch_all(session, _CURRENT_SEQ, principal.params())
    return int(rows[0][0]) if rows else None


def _branch(kind: int, table: Any, id_column: Any, *criteria: Any) -> Any:
    seq = table.change_seq
    lower = bindparam("lower_seq", type_=Integer)
    return (
        select(
            seq.label("seq"),
            literal_column(str(kind), Integer).label("kind"),
            id_column.label("id"),
        )
        .where(
            table.user_id == bindparam("user_id"),
            seq >= lower,
            seq <= bindparam("high", type_=Integer),
            or_(seq > lower, id_column > bindparam(f"after_id_{kind}", type_=Uuid)),
            *criteria,
        )
        .order_by(seq, id_column)
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )


@functools.cache
def _keys_statement(sources: tuple[tuple[str, Any], ...]) -> CompoundSelect[*tuple[Any, ...]]:
    """Each source's next keys and its tombstones' (each branch walks its index on
    (user_id, change_seq)), merged in feed order."""
    branches = []
    for index, (_entity, model) in enumerate(sources):
        branches.append(_branch(2 * index, model, model.id))
        branches.append(
            _branch(
                2 * index + 1,
                SyncTombstone,
                SyncTombstone.entity_id,
                SyncTombstone.entity == bindparam(f"entity_{2 * index + 1}", type_=String),
                SyncTombstone.change_seq > bindparam("floor", type_=Integer),
            )
        )
    columns: list[Any] = [literal_column(name) for name in ("seq", "kind", "id")]
    return (
        union_all(*(select(branch) for branch in branches))
        .order_by(*columns)
        .limit(bindparam("limit", type_=Integer))
    )


async def change_keys(
    session: ReadSession,
    *,
    sources: tuple[tuple[str, Any], ...],
    user_id: uuid.UUID,
    after: ChangeKey,
    high: int,
    floor: int,
    limit: int,
) -> list[ChangeKey]:
    """The first `limit` changes after `after` up to change number `high`, in feed order;
    tombstones only above `floor`."""
    params: dict[str, Any] = {
        "user_id": user_id,
        "lower_seq": after.seq,
        "high": high,
        "floor": floor,
        "limit": limit,
    }
    for index, (entity, _model) in enumerate(sources):
        params[f"entity_{2 * index + 1}"] = entity
    for kind in range(2 * len(sources)):
        # Inside change `after.seq`, the kinds before `after.kind` are delivered, the kinds
        # after it are not, and in `after.kind` the ids up to `after.id` are.
        if kind < after.kind:
            params[f"after_id_{kind}"] = MAX_ID
        elif kind > after.kind:
            params[f"after_id_{kind}"] = NIL_ID
        else:
            params[f"after_id_{kind}"] = after.id
    rows = await fetch_all(session, _keys_statement(sources), params)
    return [ChangeKey(int(seq), int(kind), uuid.UUID(bytes=key.bytes)) for seq, kind, key in rows]


async def delete_tombstones(session: AsyncSession, *, before: datetime) -> int:
    """Delete the tombstones of deletions made before `before`; returns how many."""
    result: Any = await session.execute(
        delete(SyncTombstone).where(SyncTombstone.deleted_at < before)
    )
    return int(result.rowcount)
