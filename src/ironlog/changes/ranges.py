"""A run of changes in the feed's order, and the criteria that select its rows."""

import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, Uuid, bindparam, or_


class ChangeKey(NamedTuple):
    """One change in the feed's order: (seq, kind, id). `kind` is 2 x the source's index, plus
    1 for a deletion (see `service.SOURCES`)."""

    seq: int
    kind: int
    id: uuid.UUID


@dataclass(frozen=True, slots=True)
class KeyRange:
    """The (change_seq, id) keys from `first` to `last`, both included."""

    first: ChangeKey
    last: ChangeKey

    def params(self) -> dict[str, Any]:
        return {
            "first_seq": self.first.seq,
            "first_id": self.first.id,
            "last_seq": self.last.seq,
            "last_id": self.last.id,
        }


def in_range(seq: Any, id_: Any) -> tuple[ColumnElement[bool], ...]:
    """Rows whose (change_seq, id) lies in a `KeyRange` (its `params()`), for the loaders."""
    first_seq, last_seq = (
        bindparam("first_seq", type_=Integer),
        bindparam("last_seq", type_=Integer),
    )
    return (
        seq >= first_seq,
        seq <= last_seq,
        or_(seq > first_seq, id_ >= bindparam("first_id", type_=Uuid)),
        or_(seq < last_seq, id_ <= bindparam("last_id", type_=Uuid)),
    )
