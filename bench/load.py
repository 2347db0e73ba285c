"""Load drill: 50 concurrent clients writing and reading workouts for 60 s, then invariants.

    uv run python -m bench.load [--seconds 60] [--clients 50] [--workers 2] [--seed 1]

Starts `ironlog serve --workers N` on a throwaway database of the shared PostgreSQL server
(loopback only) and runs the clients in this process, each with an account of its own: a mix of
workout creates (with trees), exercise and set additions, reorders, reads, list reads and
deletes, for a fixed time. Each client keeps a model of its workouts from the answers it got.
Afterwards the database is read directly and must agree with every model: positions contiguous,
every set a client got 201 for present (unless it deleted it), nothing it deleted present. The
run fails on any 5xx or any disagreement; it prints throughput and latency (p50/p99) per
operation. CI runs a 10 s variant (`--seconds 10`); docs/drills.md has the figures of a full run.
"""

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import orjson

from drills.common import serve, server_env, throwaway_database

PASSWORD = "load drill passphrase"
# Operation -> weight. Reads dominate a real app less than one would think: lifters log sets.
MIX = {
    "create": 12,
    "add_exercise": 10,
    "add_set": 30,
    "reorder": 8,
    "read": 20,
    "list": 6,
    "delete_set": 6,
    "delete_exercise": 4,
    "delete_workout": 4,
}


class Connection:
    """A minimal HTTP/1.1 keep-alive client: httpx costs more CPU than the server under test on
    a 2-core machine, so the load would measure the client."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: object = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        payload = orjson.dumps(body) if body is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"host: {self.host}",
            f"content-length: {len(payload)}",
        ]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines.append("content-type: application/json")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(": ", 1) for line in header_lines if ": " in line)
        length = int(fields.get("content-length", "0"))
        content = await self.reader.readexactly(length) if length else b""
        if fields.get("connection") == "close":
            self.writer.close()
            self.writer = None
        return int(status_line.split(" ", 2)[1]), content


@dataclass
class Workout:
    """What a client believes about one of its workouts: exercise order and each one's sets."""

    order: list[str] = field(default_factory=list)
    sets: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    surprises: list[str] = field(default_factory=list)


class Client:
    """One user driving the API; its model follows every 2xx answer."""

    def __init__(
        self, http: Connection, token: str, exercises: list[str], rng: random.Random
    ) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}
        self.exercises = exercises
        self.rng = rng
        self.workouts: dict[str, Workout] = {}
        self.created_sets: set[str] = set()
        self.deleted_sets: set[str] = set()
        self.deleted_workouts: set[str] = set()

    async def call(
        self, stats: Stats, op: str, method: str, url: str, expect: int, body: object = None
    ) -> Any:
        """The answer's JSON (True for a 204) when its status is `expect`, else None."""
        started = time.perf_counter()
        status, content = await self.http.request(method, url, self.headers, body)
        stats.latencies[op].append(time.perf_counter() - started)
        stats.statuses[(op, status)] += 1
        if status != expect:
            stats.surprises.append(f"{op} {method} {url} -> {status} {content[:200]!r}")
            return None
        return orjson.loads(content) if content else True

    def _new_sets(self, count: int) -> list[dict[str, Any]]:
        return [
            {"reps": self.rng.randint(1, 12), "weight_kg": self.rng.randint(0, 400) / 2}
            for _ in range(count)
        ]

    def _remember(self, body: dict[str, Any]) -> None:
        workout = Workout()
        for execution in body["exercises"]:
            exercise_id = execution["exercise_id"]
            workout.order.append(exercise_id)
            workout.sets[exercise_id] = [item["id"] for item in execution["sets"]]
            self.created_sets.update(workout.sets[exercise_id])
        self.workouts[body["id"]] = workout

    async def step(self, stats: Stats) -> None:
        op = self.rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if (not self.workouts and op != "list") or (
            op == "delete_workout" and len(self.workouts) < 3
        ):
            op = "create"
        workout_id = self.rng.choice(list(self.workouts)) if self.workouts else ""
        await getattr(self, f"_{op}")(stats, workout_id, f"/api/v1/workouts/{workout_id}")

    async def _create(self, stats: Stats, _workout_id: str, _base: str) -> None:
        picks = self.rng.sample(self.exercises, self.rng.randint(0, 3))
        tree = [{"exercise_id": e, "sets": self._new_sets(self.rng.randint(0, 3))} for e in picks]
        body = {"name": f"Load {self.rng.randint(1, 999)}", "exercises": tree}
        response = await self.call(stats, "create", "POST", "/api/v1/workouts", 201, body)
        if response:
            self._remember(response)

    async def _add_exercise(self, stats: Stats, workout_id: str, base: str) -> None:
        workout = self.workouts[workout_id]
        unused = [e for e in self.exercises if e not in workout.sets]
        if len(workout.order) >= 8 or not unused:
            return
        exercise_id = self.rng.choice(unused)
        body = {"exercise_id": exercise_id, "sets": self._new_sets(self.rng.randint(0, 2))}
        response = await self.call(stats, "add_exercise", "POST", f"{base}/exercises", 201, body)
        if response:
            workout.order.append(exercise_id)
            workout.sets[exercise_id] = [item["id"] for item in response["sets"]]
            self.created_sets.update(workout.sets[exercise_id])

    async def _add_set(self, stats: Stats, workout_id: str, base: str) -> None:
        workout = self.workouts[workout_id]
        if not workout.order:
            return
        exercise_id = self.rng.choice(workout.order)
        url = f"{base}/exercises/{exercise_id}/sets"
        response = await self.call(stats, "add_set", "POST", url, 201, self._new_sets(1)[0])
        if response:
            workout.sets[exercise_id].append(response["id"])
            self.created_sets.add(response["id"])

    async def _reorder(self, stats: Stats, workout_id: str, base: str) -> None:
        workout = self.workouts[workout_id]
        order = self.rng.sample(workout.order, len(workout.order))
        url = f"{base}/exercises/order"
        response = await self.call(stats, "reorder", "PUT", url, 200, {"exercise_ids": order})
        if response:
            workout.order = [item["exercise_id"] for item in response["exercises"]]
            if workout.order != order:
                stats.surprises.append(f"reorder {workout_id}: asked {order}, got {workout.order}")

    async def _read(self, stats: Stats, workout_id: str, base: str) -> None:
        response = await self.call(stats, "read", "GET", base, 200)
        if response:
            self._check(stats, workout_id, response)

    async def _list(self, stats: Stats, _workout_id: str, _base: str) -> None:
        size = self.rng.choice([5, 20])
        await self.call(stats, "list", "GET", f"/api/v1/workouts?size={size}", 200)

    async def _delete_set(self, stats: Stats, workout_id: str, base: str) -> None:
        workout = self.workouts[workout_id]
        candidates = [(e, s) for e, sets in workout.sets.items() for s in sets]
        if not candidates:
            return
        exercise_id, set_id = self.rng.choice(candidates)
        url = f"{base}/exercises/{exercise_id}/sets/{set_id}"
        if await self.call(stats, "delete_set", "DELETE", url, 204):
            workout.sets[exercise_id].remove(set_id)
            self.deleted_sets.add(set_id)

    async def _delete_exercise(self, stats: Stats, workout_id: str, base: str) -> None:
        workout = self.workouts[workout_id]
        if not workout.order:
            return
        exercise_id = self.rng.choice(workout.order)
        url = f"{base}/exercises/{exercise_id}"
        if await self.call(stats, "delete_exercise", "DELETE", url, 204):
            workout.order.remove(exercise_id)
            self.deleted_sets.update(workout.sets.pop(exercise_id))

    async def _delete_workout(self, stats: Stats, workout_id: str, base: str) -> None:
        if await self.call(stats, "delete_workout", "DELETE", base, 204):
            removed = self.workouts.pop(workout_id)
            self.deleted_workouts.add(workout_id)
            self.deleted_sets.update(s for sets in removed.sets.values() for s in sets)

    def _check(self, stats: Stats, workout_id: str, body: dict[str, Any]) -> None:
        """A read must show exactly the model (this client is the workout's only writer)."""
        workout = self.workouts[workout_id]
        order = [execution["exercise_id"] for execution in body["exercises"]]
        sets = {e["exercise_id"]: [s["id"] for s in e["sets"]] for e in body["exercises"]}
        if order != workout.order or sets != workout.sets:
            stats.surprises.append(f"read {workout_id} differs from the model")


async def _prepare(base: str, clients: int, seed: int) -> tuple[list[str], list[str]]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        tokens = []
        for index in range(clients):
            response = await http.post(
                "/api/v1/auth/register",
                json={
                    "email": f"load-{seed}-{index}@example.com",
                    "password": PASSWORD,
                    "name": "L",
                },
            )
            response.raise_for_status()
            tokens.append(response.json()["tokens"]["access_token"])
        page = (await http.get("/api/v1/exercises/system", params={"size": 100})).json()
        return tokens, [item["id"] for item in page["items"]][:40]


async def _drive(base: str, args: argparse.Namespace) -> tuple[list[Client], Stats, float]:
    tokens, exercises = await _prepare(base, args.clients, args.seed)
    stats = Stats()
    address = urlsplit(base)
    assert address.hostname == "127.0.0.1"  # loopback only
    clients = [
        Client(
            Connection(address.hostname, address.port or 80),
            token,
            exercises,
            random.Random(f"{args.seed}-{index}"),
        )
        for index, token in enumerate(tokens)
    ]
    stop_at = time.monotonic() + args.seconds

    async def run(client: Client) -> None:
        while time.monotonic() < stop_at:
            await client.step(stats)
        if client.http.writer is not None:
            client.http.writer.close()

    started = time.monotonic()
    await asyncio.gather(*(run(client) for client in clients))
    return clients, stats, time.monotonic() - started


async def _verify(url: str, clients: list[Client]) -> list[str]:
    """The database against every client's model; returns the disagreements."""
    problems: list[str] = []
    connection = await asyncpg.connect(url)
    try:
        executions = await connection.fetch(
            "SELECT workout_id, exercise_id, position FROM exercise_execution"
        )
        sets = await connection.fetch(
            "SELECT id, workout_id, exercise_id, position FROM workout_set"
        )
        workout_ids = {row["id"] for row in await connection.fetch("SELECT id FROM workout")}
    finally:
        await connection.close()
    by_workout: dict[uuid.UUID, list[tuple[int, str]]] = defaultdict(list)
    for row in executions:
        by_workout[row["workout_id"]].append((row["position"], str(row["exercise_id"])))
    by_execution: dict[tuple[uuid.UUID, str], list[tuple[int, str]]] = defaultdict(list)
    for row in sets:
        key = (row["workout_id"], str(row["exercise_id"]))
        by_execution[key].append((row["position"], str(row["id"])))
    for key, items in [*by_workout.items(), *by_execution.items()]:
        if sorted(position for position, _ in items) != list(range(len(items))):
            problems.append(f"positions not contiguous under {key}: {sorted(items)}")
    stored_sets = {str(row["id"]) for row in sets}
    for client in clients:
        for workout_id, workout in client.workouts.items():
            key = uuid.UUID(workout_id)
            if key not in workout_ids:
                problems.append(f"workout {workout_id} is missing")
            if [e for _, e in sorted(by_workout[key])] != workout.order:
                problems.append(f"workout {workout_id}: exercise order differs from the model")
            for exercise_id, set_ids in workout.sets.items():
                if [s for _, s in sorted(by_execution[(key, exercise_id)])] != set_ids:
                    problems.append(f"workout {workout_id} / {exercise_id}: sets differ")
        missing = client.created_sets - client.deleted_sets - stored_sets
        resurrected = client.deleted_sets & stored_sets
        problems += [f"set {s} got 201 and is missing" for s in sorted(missing)]
        problems += [f"set {s} was deleted and is there" for s in sorted(resurrected)]
        problems += [
            f"workout {w} was deleted and is there"
            for w in sorted(client.deleted_workouts)
            if uuid.UUID(w) in workout_ids
        ]
    return problems


def _report(stats: Stats, elapsed: float) -> None:
    total = sum(len(values) for values in stats.latencies.values())
    everything = [value for values in stats.latencies.values() for value in values]
    print(f"{total} requests in {elapsed:.1f} s: {total / elapsed:.0f} requests/s")
    print(f"{'operation':<16} {'count':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for op, values in sorted([*stats.latencies.items(), ("all", everything)]):
        p50, p99 = _percentile(values, 50), _percentile(values, 99)
        print(f"{op:<16} {len(values):>7} {p50:>8.1f} {p99:>8.1f}")
    statuses = Counter[int]()
    for (_, status), count in stats.statuses.items():
        statuses[status] += count
    print("statuses:", dict(sorted(statuses.items())))


def _percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="wt-drills-load-") as data_dir,
        throwaway_database("ironlog_load") as url,
    ):
        # Every client registers from this one address: the per-address limit is lifted.
        env = server_env(
            url,
            Path(data_dir),
            db_pool_size="10",
            db_max_overflow="10",
            register_max_per_client=str(args.clients + 10),
        )
        with serve(env, workers=args.workers) as server:
            clients, stats, elapsed = asyncio.run(_drive(server.base_url, args))
        problems = asyncio.run(_verify(url, clients))
    _report(stats, elapsed)
    server_errors = sum(count for (_, status), count in stats.statuses.items() if status >= 500)
    for line in [*stats.surprises[:20], *problems[:20]]:
        print("!", line[:300])
    sets = sum(len(client.created_sets - client.deleted_sets) for client in clients)
    print(f"checked: {sum(len(c.workouts) for c in clients)} workouts, {sets} sets")
    print(
        f"5xx: {server_errors}; unexpected answers: {len(stats.surprises)}; "
        f"invariant violations: {len(problems)}"
    )
    return 1 if server_errors or stats.surprises or problems else 0


if __name__ == "__main__":
    sys.exit(main())
