"""The exercise queries are served by indexes, on a table holding many users' exercises.

Search stays fast because every read is narrowed by an index to "the system library or mine"
before the name is matched; docs/exercises.md has the measurements and the trigram decision.
"""

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Select, insert
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.core.clock import utc_now
from ironlog.core.pagination import PageRequest
from ironlog.exercises import repository
from ironlog.exercises.repository import SearchFilters
from ironlog.models import Exercise, Modality, User

USERS = 200
EXERCISES_PER_USER = 40
SYSTEM_NAME_INDEX = "uq_exercise_system_name_key"
EXERCISE_INDEXES = {
    SYSTEM_NAME_INDEX,
    "uq_exercise_user_id_name_key",
    "ix_exercise_user_id_body_part",
    "ix_exercise_user_id_modality",
}
BODY_PARTS = ["chest", "back", "quads", "core", "biceps", "glutes", "calves"]


async def _fill_with_other_users_exercises(db: AsyncSession) -> uuid.UUID:
    """USERS users with EXERCISES_PER_USER exercises each; returns one of them."""
    now = utc_now()
    users = [
        {
            "id": uuid.uuid4(),
            "email": f"bulk-{index}-{uuid.uuid4().hex[:8]}@example.com",
            "name": "Bulk",
            "email_verified": False,
            "created_at": now,
            "updated_at": now,
        }
        for index in range(USERS)
    ]
    await db.execute(insert(User), users)
    modalities = list(Modality)
    exercises = [
        {
            "id": uuid.uuid4(),
            "user_id": user["id"],
            "name": f"Custom press {number} {user['id'].hex[:6]}",
            "name_key": f"custom press {number} {user['id'].hex[:6]}",
            "body_part": BODY_PARTS[number % len(BODY_PARTS)],
            "modality": modalities[number % len(modalities)],
            "description": None,
            "created_at": now,
            "updated_at": now,
        }
        for user in users
        for number in range(EXERCISES_PER_USER)
    ]
    await db.execute(insert(Exercise), exercises)
    connection = await db.connection()
    await connection.exec_driver_sql("ANALYZE")
    user_id: uuid.UUID = users[USERS // 2]["id"]
    return user_id


async def _plan(db: AsyncSession, statement: Select[Any]) -> list[tuple[str, str | None]]:
    """The (scan, index) pairs of the statement's plan that read the exercise table."""
    connection = await db.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "postgresql":
        result = await connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}")
        document = result.scalar_one()
        root = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
        return list(_postgresql_scans(root))
    rows = (await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")).all()
    return [_sqlite_scan(row[3]) for row in rows if " exercise" in row[3]]


def _postgresql_scans(node: dict[str, Any]) -> Any:
    if node.get("Relation Name") == "exercise" or "Index Name" in node:
        yield node["Node Type"], node.get("Index Name")
    for child in node.get("Plans", []):
        yield from _postgresql_scans(child)


def _sqlite_scan(detail: str) -> tuple[str, str | None]:
    # "SEARCH exercise USING [COVERING ]INDEX ix_name (user_id=?)" or "SCAN exercise"
    words = detail.split()
    index = words[words.index("INDEX") + 1] if "INDEX" in words else None
    return words[0], index


def _assert_served_by_indexes(scans: list[tuple[str, str | None]]) -> None:
    """No full scan of the exercise table; every index read is one of its indexes."""
    assert scans, "the plan does not read the exercise table"
    assert all(scan != "Seq Scan" for scan, _ in scans), scans
    # SQLite may walk the partial index of the system library in name order: it holds the
    # system rows only, so that is not a scan of the table.
    assert all(index == SYSTEM_NAME_INDEX for scan, index in scans if scan == "SCAN"), scans
    indexes = {index for _, index in scans if index is not None}
    assert indexes, scans
    assert indexes <= EXERCISE_INDEXES, scans


CASES = [
    pytest.param(True, SearchFilters(name_key="press"), id="signed-in-name"),
    pytest.param(False, SearchFilters(name_key="press"), id="anonymous-name"),
    pytest.param(True, SearchFilters(name_key="row", body_part="back"), id="name-and-body-part"),
    pytest.param(True, SearchFilters(modality=Modality.CABLE), id="modality"),
    pytest.param(True, SearchFilters(), id="no-filter"),
]


@pytest.mark.parametrize(("signed_in", "filters"), CASES)
async def test_search_reads_the_exercise_table_through_indexes(
    db: AsyncSession, signed_in: bool, filters: SearchFilters
) -> None:
    user_id = await _fill_with_other_users_exercises(db)
    criteria = repository.search_criteria(user_id if signed_in else None, filters)
    _assert_served_by_indexes(await _plan(db, repository.count_statement(criteria)))
    _assert_served_by_indexes(
        await _plan(db, repository.page_statement(criteria, PageRequest(page=1, size=20)))
    )


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
async def test_typo_candidates_read_the_exercise_table_through_indexes(
    db: AsyncSession, signed_in: bool
) -> None:
    user_id = await _fill_with_other_users_exercises(db)
    filters = SearchFilters(folded="bnechpress")
    statement = repository.typo_candidates_statement(user_id if signed_in else None, filters)
    _assert_served_by_indexes(await _plan(db, statement))


async def test_body_parts_read_the_exercise_table_through_indexes(db: AsyncSession) -> None:
    user_id = await _fill_with_other_users_exercises(db)
    _assert_served_by_indexes(await _plan(db, repository.body_parts_statement(user_id)))


async def test_name_search_returns_only_visible_matches_from_a_crowded_table(
    db: AsyncSession,
) -> None:
    user_id = await _fill_with_other_users_exercises(db)
    criteria = repository.search_criteria(user_id, SearchFilters(name_key="custom press"))
    items, total = await repository.find_page(db, criteria, PageRequest(page=1, size=100))
    assert total == EXERCISES_PER_USER
    assert {item.user_id for item in items} == {user_id}
    assert [item.name_key for item in items] == sorted(item.name_key for item in items)
