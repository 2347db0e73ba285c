"""Safe retries for POST: the `Idempotency-Key` header.

On an authenticated POST carrying a key, the key is claimed for the user inside the request's
transaction before the route runs; a 2xx response is then stored in the same transaction. A retry
with the same key and an equal JSON body replays the stored status, headers and body with
`Idempotent-Replayed: true`; another body is 422 `idempotency_key_reused`. A request that fails
rolls back, claim included, so the same key runs it again. A concurrent duplicate waits on the
claim's unique key (PostgreSQL) or on the write lock (SQLite) and then replays.
"""

import hashlib
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import orjson
from fastapi import FastAPI, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.responses import Response

from ironlog.core.clock import utc_now
from ironlog.core.errors import InvalidField
from ironlog.idempotency import repository
from ironlog.idempotency.errors import IdempotencyKeyReused
from ironlog.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255
_STORED_HEADERS = ("content-type", "location", "etag")


class IdempotentReplay(Exception):
    """Raised to answer with the stored response instead of running the route again."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        self.record = record


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_FILE_CHUNK = 1024 * 1024


async def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _FORM_TYPES:
        # The route has parsed the form already and the stream is consumed: fingerprint the
        # parsed fields (equal uploads match whatever their multipart boundary).
        await _digest_form(digest.update, await request.form())
        return digest.hexdigest()
    body = await request.body()
    try:  # equal JSON bodies match whatever their key order and spacing
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONDecodeError:
        canonical = body
    digest.update(canonical)
    return digest.hexdigest()


async def _digest_form(update: Callable[[bytes], None], form: FormData) -> None:
    for name, value in sorted(form.multi_items(), key=lambda item: item[0]):
        if isinstance(value, str):
            update(orjson.dumps([name, value]))
            continue
        update(orjson.dumps([name, value.filename]))
        await value.seek(0)
        while chunk := await value.read(_FILE_CHUNK):
            update(chunk)
        await value.seek(0)
        update(b"\n")


def _replay_or_refuse(record: IdempotencyKey, request_hash: str) -> IdempotentReplay:
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return IdempotentReplay(record)


async def begin(request: Request, session: AsyncSession, user_id: uuid.UUID) -> None:
    """Claim the request's key, or raise the replay of its first response."""
    if request.method != "POST":
        return
    key = request.headers.get(HEADER)
    if key is None:
        return
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidField(["header", HEADER], f"must be 1..{MAX_KEY_LENGTH} characters")
    request_hash = await _fingerprint(request)
    now = utc_now()
    await repository.delete_expired(session, user_id, key, created_before=now - RETENTION)
    record = await repository.find(session, user_id, key)
    if record is not None:
        raise _replay_or_refuse(record, request_hash)
    try:
        await repository.claim(session, user_id, key, request_hash=request_hash, now=now)
    except IntegrityError:
        # A concurrent request with this key committed first: answer as it did.
        record = await repository.find(session, user_id, key)
        if record is None:
            raise
        raise _replay_or_refuse(record, request_hash) from None
    request.state.before_commit.append(partial(_store, user_id, key))


async def _store(user_id: uuid.UUID, key: str, session: AsyncSession, response: Response) -> None:
    headers = {name: value for name, value in response.headers.items() if name in _STORED_HEADERS}
    await repository.store_response(
        session,
        user_id,
        key,
        status_code=response.status_code,
        headers_json=orjson.dumps(headers).decode(),
        body=bytes(response.body),
        now=utc_now(),
    )


async def _replay(_request: Request, exc: Exception) -> Response:
    if not isinstance(exc, IdempotentReplay):  # pragma: no cover
        raise exc
    record = exc.record
    headers = orjson.loads(record.response_headers)
    headers[REPLAYED_HEADER] = "true"
    return Response(record.response_body, record.status_code, headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(IdempotentReplay, _replay)
