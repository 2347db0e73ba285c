import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.models import IdempotencyKey


async def find(session: AsyncSession, user_id: uuid.UUID, key: str) -> IdempotencyKey | None:
    return await session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )


async def delete_expired(
    session: AsyncSession, user_id: uuid.UUID, key: str, *, created_before: datetime
) -> None:
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < created_before,
        )
    )


async def claim(
    session: AsyncSession, user_id: uuid.UUID, key: str, *, request_hash: str, now: datetime
) -> None:
    """Insert the key with an empty response, in a savepoint: an IntegrityError means a
    concurrent request with the same key committed first."""
    async with session.begin_nested():
        await session.execute(
            insert(IdempotencyKey).values(
                user_id=user_id,
                key=key,
                request_hash=request_hash,
                status_code=0,
                response_headers="{}",
                response_body=b"",
                created_at=now,
                updated_at=now,
            )
        )


async def store_response(
    session: AsyncSession,
    user_id: uuid.UUID,
    key: str,
    *,
    status_code: int,
    headers_json: str,
    body: bytes,
    now: datetime,
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .values(
            status_code=status_code,
            response_headers=headers_json,
            response_body=body,
            updated_at=now,
        )
    )
