"""Reads that check the caller's session in their own statement (`Reader`): one round trip when
something comes back, and a 401 once the session has ended, whatever else is wrong."""

import uuid

import httpx
import pytest

from tests.conftest import QueryCounter, UserHandle

MEASUREMENTS = "/api/v1/body-measurements"
ROUTINES = "/api/v1/routines"
FOLDERS = "/api/v1/routine-folders"
PREFERENCES = "/api/v1/users/me/preferences"
EXERCISES = "/api/v1/exercises"


async def _created(client: httpx.AsyncClient, user: UserHandle) -> dict[str, str]:
    """One item of each kind for `user`, made through the API; the paths that read them."""
    headers = user.headers
    response = await client.put(
        f"{MEASUREMENTS}/2026-11-20", json={"weight_kg": 80}, headers=headers
    )
    assert response.status_code == 201, response.text
    response = await client.post(FOLDERS, json={"name": "Strength"}, headers=headers)
    assert response.status_code == 201, response.text
    folder_id = response.json()["id"]
    response = await client.post(ROUTINES, json={"name": "Push A"}, headers=headers)
    assert response.status_code == 201, response.text
    response = await client.patch(PREFERENCES, json={"timezone": "Europe/Paris"}, headers=headers)
    assert response.status_code == 200, response.text
    body = {"name": "Zercher Squat", "body_part": "legs", "modality": "BARBELL"}
    response = await client.post(EXERCISES, json=body, headers=headers)
    assert response.status_code == 201, response.text
    exercise_id = response.json()["id"]
    return {
        "exercises": EXERCISES,
        "exercise search": f"{EXERCISES}?q=zercher",
        "my exercises": f"{EXERCISES}/my-exercises",
        "exercise": f"{EXERCISES}/{exercise_id}",
        "body parts": f"{EXERCISES}/body-parts",
        "me": "/api/v1/users/me",
        "preferences": PREFERENCES,
        "measurements": MEASUREMENTS,
        "measurement": f"{MEASUREMENTS}/2026-11-20",
        "routines": ROUTINES,
        "folders": FOLDERS,
        "folder": f"{FOLDERS}/{folder_id}",
    }


CHECKED_READS = [
    "me",
    "preferences",
    "measurements",
    "measurement",
    "routines",
    "folders",
    "folder",
    "exercises",
    "my exercises",
    "exercise",
    "body parts",
]


@pytest.mark.parametrize("read", CHECKED_READS)
async def test_a_read_that_finds_something_is_one_query_with_the_session_check(
    client: httpx.AsyncClient, user: UserHandle, queries: QueryCounter, read: str
) -> None:
    path = (await _created(client, user))[read]
    queries.reset()
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 200, response.text
    [statement] = queries.statements
    assert "auth_session" in statement, statement


@pytest.mark.parametrize("read", ["me", "preferences", "measurements", "routines", "folders"])
async def test_a_new_user_s_reads_answer_defaults_and_empty_pages(
    client: httpx.AsyncClient, user: UserHandle, queries: QueryCounter, read: str
) -> None:
    """Nothing stored yet: the defaults or an empty page, in two queries at most (an empty page
    asks once more for the total and the session)."""
    path = {
        "me": "/api/v1/users/me",
        "preferences": PREFERENCES,
        "measurements": MEASUREMENTS,
        "routines": ROUTINES,
        "folders": FOLDERS,
    }[read]
    queries.reset()
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 200, response.text
    assert queries.count <= 2, queries.statements
    body = response.json()
    if read == "preferences":
        assert body["timezone"] == "UTC"
    elif read != "me":
        assert (body["items"], body["total"], body["pages"]) == ([], 0, 0)


@pytest.mark.parametrize("read", ["measurements", "routines", "folders"])
async def test_a_page_past_the_end_is_empty_with_the_total(
    client: httpx.AsyncClient, user: UserHandle, read: str
) -> None:
    path = (await _created(client, user))[read]
    response = await client.get(path, params={"page": 3}, headers=user.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["items"], body["total"], body["page"], body["pages"]) == ([], 1, 3, 1)


ENDED_SESSION_CASES = [
    *((read, "found", {}) for read in CHECKED_READS),
    ("folder", "another user's", {}),
    ("folder", "missing", {}),
    ("measurement", "missing", {}),
    ("measurements", "invalid query", {"from": "2026-12-01", "to": "2026-11-01"}),
    ("measurements", "invalid query", {"page": "0"}),
    ("routines", "invalid query", {"page": "0"}),
    ("folders", "invalid query", {"size": "1000"}),
    ("exercise search", "found", {}),
    ("exercise", "another user's", {}),
    ("exercises", "invalid query", {"page": "0"}),
    ("my exercises", "invalid query", {"page": "0"}),
]


@pytest.mark.parametrize(("read", "request_kind", "params"), ENDED_SESSION_CASES, ids=str)
async def test_every_checked_read_is_401_once_the_session_has_ended(
    client: httpx.AsyncClient,
    user: UserHandle,
    other_user: UserHandle,
    read: str,
    request_kind: str,
    params: dict[str, str],
) -> None:
    """Signed out, each read is 401: for what the caller had, for what is not theirs or does
    not exist (a 404 while signed in), and for a query that is a 422 while signed in."""
    path = (await _created(client, user))[read]
    if request_kind == "another user's":
        path = (await _created(client, other_user))[read]
    elif request_kind == "missing":
        path = {"folder": f"{FOLDERS}/{uuid.uuid4()}", "measurement": f"{MEASUREMENTS}/2020-01-01"}[
            read
        ]
    response = await client.get(path, params=params, headers=user.headers)
    signed_in = {"found": 200, "another user's": 404, "missing": 404, "invalid query": 422}
    assert response.status_code == signed_in[request_kind], response.text
    response = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
    assert response.status_code == 204
    response = await client.get(path, params=params, headers=user.headers)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "not_authenticated"


async def test_a_search_by_name_checks_the_session_in_its_first_query(
    client: httpx.AsyncClient, user: UserHandle, queries: QueryCounter
) -> None:
    """The counts of the matches, then the page: two queries, the first with the check."""
    path = (await _created(client, user))["exercise search"]
    queries.reset()
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 200, response.text
    assert [item["name"] for item in response.json()["items"]] == ["Zercher Squat"]
    first, _page = queries.statements
    assert "auth_session" in first, first
