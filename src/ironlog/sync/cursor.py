"""Sync cursors: a position in one user's change feed, signed so that it cannot be forged.

A cursor names the last change a client has (`seq`, and inside a change number shared by many
objects the last `kind` and `id` delivered), the change number below which deletions are
irrelevant to it (`floor`: a snapshot never needs the tombstones of objects deleted before it
began), and `since`, when the client was last complete up to `seq`, which decides whether the
tombstones it needs can have been cleaned up. The text is base64url of those fields and an
HMAC-SHA256 over them and the user's id, with a key derived from the secret key: a cursor
edited, truncated or taken from another user's feed does not verify.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import re
import struct
import uuid
from dataclasses import dataclass

from ironlog.sync.errors import InvalidCursor

_VERSION = 1
# version, seq, kind, id, floor, since (Unix seconds)
_LAYOUT = struct.Struct(">BqH16sqq")
_MAC_BYTES = 16
# A kind after every real one: "the whole of change `seq` is delivered".
END_KIND = 0xFFFF
NIL_ID = uuid.UUID(int=0)
MAX_ID = uuid.UUID(int=(1 << 128) - 1)
_ALPHABET = re.compile(r"[A-Za-z0-9_-]{1,200}")


@dataclass(frozen=True, slots=True)
class Cursor:
    seq: int
    kind: int
    id: uuid.UUID
    floor: int
    since: int

    @classmethod
    def start(cls, *, floor: int, since: int) -> "Cursor":
        """Before every change: a snapshot from the beginning."""
        return cls(seq=0, kind=0, id=NIL_ID, floor=floor, since=since)

    @property
    def complete(self) -> bool:
        return self.kind == END_KIND


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"ironlog sync cursor v1", hashlib.sha256).digest()


def _mac(secret: str, user_id: uuid.UUID, payload: bytes) -> bytes:
    return hmac.new(_key(secret), user_id.bytes + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode(cursor: Cursor, *, secret: str, user_id: uuid.UUID) -> str:
    payload = _LAYOUT.pack(
        _VERSION, cursor.seq, cursor.kind, cursor.id.bytes, cursor.floor, cursor.since
    )
    token = payload + _mac(secret, user_id, payload)
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode(text: str, *, secret: str, user_id: uuid.UUID) -> Cursor:
    """The cursor `text` names, if this server issued it to this user; else InvalidCursor."""
    if not _ALPHABET.fullmatch(text):
        raise InvalidCursor()
    try:
        token = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor() from None
    if len(token) != _LAYOUT.size + _MAC_BYTES:
        raise InvalidCursor()
    payload, mac = token[: _LAYOUT.size], token[_LAYOUT.size :]
    if not hmac.compare_digest(mac, _mac(secret, user_id, payload)):
        raise InvalidCursor()
    version, seq, kind, id_bytes, floor, since = _LAYOUT.unpack(payload)
    if version != _VERSION:
        raise InvalidCursor()
    return Cursor(seq=seq, kind=kind, id=uuid.UUID(bytes=id_bytes), floor=floor, since=since)
