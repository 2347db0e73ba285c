"""`Idempotency-Key` on an upload: the fingerprint is the parsed form, not the raw stream."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import UserHandle
from tests.portability.helpers import FILES, IMPORTS, count_workouts


async def _import(
    client: httpx.AsyncClient, user: UserHandle, content: bytes, key: str, **fields: str
) -> httpx.Response:
    return await client.post(
        IMPORTS,
        files={"file": ("strong.csv", content)},
        data=fields,
        headers={**user.headers, "Idempotency-Key": key},
    )


async def test_a_retried_import_replays_its_first_answer(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    content = (FILES / "strong_old.csv").read_bytes()
    first = await _import(client, user, content, "import-1", unit="kg")
    assert first.status_code == 201, first.text  # was a 500: the stream was read by the form
    imported = await count_workouts(db, user.id)
    assert imported > 0
    retry = await _import(client, user, content, "import-1", unit="kg")
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert await count_workouts(db, user.id) == imported


async def test_another_upload_under_the_same_key_is_refused(
    client: httpx.AsyncClient, user: UserHandle, db: AsyncSession
) -> None:
    content = (FILES / "strong_old.csv").read_bytes()
    first = await _import(client, user, content, "import-2", dry_run="true")
    assert first.status_code == 200, first.text
    for other_file, fields in (
        (content + b"\n", {"dry_run": "true"}),
        (content, {"dry_run": "true", "unit": "lb"}),
    ):
        response = await _import(client, user, other_file, "import-2", **fields)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "idempotency_key_reused"
    assert await count_workouts(db, user.id) == 0
