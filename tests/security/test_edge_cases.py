"""The classic edge cases on every JSON write route of the OpenAPI document: NaN and Infinity
(which Python's JSON parser reads), numbers beyond any range, very long strings, deeply nested
JSON and malformed ids in the path are each a 4xx problem that changes nothing, never a 500.

Each route's documented example, with real ids, is the starting point; one value at a time is
replaced. The caller's export is the same before and after."""

import copy
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx

from tests.conftest import UserHandle

SKIPPED = {
    ("delete", "/api/v1/users/me"),  # ends the account the test looks at
}
# Written into the body as they are: JSON has no NaN or Infinity, Python's parser reads them.
NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 40, "-1" + "0" * 40]
LONG_STRING = "x" * 100_000
DEEP = ["[" * 50_000 + "]" * 50_000, '{"a":' * 50_000 + "1" + "}" * 50_000]
BAD_IDS = ["not-a-uuid", "0" * 5_000, "%00", "1e400"]
EXAMPLE_IDS = ("5d1e2c3b-4a59-4f6e-8d7c-1b2a3c4d5e6f", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")


def _leaves(
    value: Any, at: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield at, value
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in items:
        yield from _leaves(child, (*at, key))


def _replaced(body: Any, at: tuple[str | int, ...], marker: str) -> Any:
    body = copy.deepcopy(body)
    target = body
    for key in at[:-1]:
        target = target[key]
    target[at[-1]] = marker
    return body


def _bad_bodies(example: Any) -> Iterator[tuple[str, bytes]]:
    for at, value in _leaves(example):
        if not at or isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            for number in NUMBERS:
                text = json.dumps(_replaced(example, at, "@@")).replace('"@@"', number)
                yield f"{at}={number}", text.encode()
        elif isinstance(value, str):
            yield f"{at}=long", json.dumps(_replaced(example, at, LONG_STRING)).encode()
    for deep in DEEP:
        yield "deep", deep.encode()


async def _ids(client: httpx.AsyncClient, user: UserHandle) -> dict[str, str]:
    """Real objects of the user, for the path parameters and the examples' exercise ids."""
    headers = user.headers
    found = await client.get("/api/v1/exercises", params={"q": "bench press"})
    bench = found.json()["items"][0]["id"]
    found = await client.get("/api/v1/exercises", params={"q": "back squat"})
    squat = found.json()["items"][0]["id"]
    tree = [{"exercise_id": bench, "sets": [{"reps": 5}]}]
    workout = await client.post(
        "/api/v1/workouts", json={"name": "W", "exercises": tree}, headers=headers
    )
    own = await client.post(
        "/api/v1/exercises",
        json={"name": "Pin Press", "body_part": "chest", "modality": "BARBELL"},
        headers=headers,
    )
    folder = await client.post("/api/v1/routine-folders", json={"name": "F"}, headers=headers)
    routine = await client.post("/api/v1/routines", json={"name": "R"}, headers=headers)
    measured = await client.put(
        "/api/v1/body-measurements/2026-11-20", json={"weight_kg": 80}, headers=headers
    )
    for response in (workout, own, folder, routine, measured):
        assert response.status_code == 201, response.text
    return {
        "bench": bench,
        "squat": squat,
        "workout_id": workout.json()["id"],
        "set_id": workout.json()["exercises"][0]["sets"][0]["id"],
        "own_exercise_id": own.json()["id"],
        "folder_id": folder.json()["id"],
        "routine_id": routine.json()["id"],
        "measurement_date": "2026-11-20",
    }


def _url(path: str, ids: dict[str, str], bad: str | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if bad is not None:
            return bad
        if name == "exercise_id":
            return ids["own_exercise_id" if path.startswith("/api/v1/exercises") else "bench"]
        return ids.get(name, "3f0b7e1c-0000-4000-8000-000000000000")

    return re.sub(r"\{([^}]+)\}", value, path)


def _example(document: dict[str, Any], operation: dict[str, Any], ids: dict[str, str]) -> Any:
    media = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if media is None:
        return None
    example = media.get("example")
    if example is None and "$ref" in media.get("schema", {}):
        name = media["schema"]["$ref"].rsplit("/", 1)[-1]
        example = document["components"]["schemas"][name].get("example")
    text = json.dumps(example)
    for placeholder, real in zip(EXAMPLE_IDS, (ids["bench"], ids["squat"]), strict=True):
        text = text.replace(placeholder, real)
    return json.loads(text)


async def _snapshot(client: httpx.AsyncClient, user: UserHandle) -> dict[str, Any]:
    response = await client.get("/api/v1/export", params={"format": "json"}, headers=user.headers)
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    document.pop("exported_at")
    return document


async def test_edge_cases_on_every_write_route_are_4xx_and_change_nothing(
    client: httpx.AsyncClient, user: UserHandle
) -> None:
    document = (await client.get("/openapi.json")).json()
    ids = await _ids(client, user)
    before = await _snapshot(client, user)
    headers = {**user.headers, "Content-Type": "application/json"}
    answers: list[tuple[str, str, str, int]] = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("post", "put", "patch", "delete") or (method, path) in SKIPPED:
                continue
            example = _example(document, operation, ids)
            cases: list[tuple[str, str, bytes | None]] = []
            body = None if example is None else json.dumps(example).encode()
            if "{" in path:
                cases += [(_url(path, ids, bad), f"path={bad[:12]}", body) for bad in BAD_IDS]
            if example is not None:
                cases += [(_url(path, ids), case, text) for case, text in _bad_bodies(example)]
            for url, case, content in cases:
                response = await client.request(
                    method.upper(), url, content=content, headers=headers
                )
                answers.append((method, path, case, response.status_code))
    routes = {(method, path) for method, path, _, _ in answers}
    assert len(routes) >= 40, routes  # every write route with a path id or a JSON body
    assert [answer for answer in answers if not 400 <= answer[3] < 500] == []
    assert await _snapshot(client, user) == before
