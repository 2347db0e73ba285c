"""Property (the sync guarantee): two devices write at random through the API and sync at
random points with random page sizes; whenever a device has read the feed to its end, its
replica, built only from the feed, equals the server's state as the API's GET routes show it."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import anyio
import anyio.from_thread
import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from tests.conftest import UserHandle, register_user
from tests.sync.conftest import Replica, read_page, server_state
from tests.workouts.conftest import WORKOUTS

EXERCISES = "/api/v1/exercises"
LIMITS = st.sampled_from([1, 2, 3, 5, 500])
PICK = st.integers(0, 50)


def run(call: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    return anyio.from_thread.run(call, *args)


def replicas_machine(client: httpx.AsyncClient, pool: list[str]) -> type[RuleBasedStateMachine]:
    class TwoDevices(RuleBasedStateMachine):
        """The model keeps only what the rules need to make valid requests: the ids alive."""

        @initialize()
        def start(self) -> None:
            self.user: UserHandle = run(register_user, client)
            self.devices = [Replica(), Replica()]
            self.workouts: list[str] = []
            self.deleted: list[str] = []
            self.exercises: list[str] = []
            self.imports = 0

        async def _request(self, method: str, path: str, body: Any = None) -> httpx.Response:
            return await client.request(method, path, json=body, headers=self.user.headers)

        def request(self, method: str, path: str, body: Any = None) -> httpx.Response:
            response: httpx.Response = run(self._request, method, path, body)
            assert response.status_code < 500, response.text
            return response

        def _workout(self, pick: int) -> str | None:
            return self.workouts[pick % len(self.workouts)] if self.workouts else None

        @rule(size=st.integers(0, 3), offset=PICK, client_id=st.booleans())
        def create_workout(self, size: int, offset: int, client_id: bool) -> None:
            chosen = [pool[(offset + index) % len(pool)] for index in range(size)]
            body: dict[str, Any] = {
                "name": f"Workout {offset}",
                "exercises": [{"exercise_id": e, "sets": [{"reps": 5}] * 2} for e in chosen],
            }
            if client_id:
                body["id"] = str(uuid.uuid4())
            response = self.request("POST", WORKOUTS, body)
            assert response.status_code == 201, response.text
            self.workouts.append(response.json()["id"])

        @rule(pick=PICK)
        def recreate_deleted_workout(self, pick: int) -> None:
            if self.deleted:
                workout_id = self.deleted.pop(pick % len(self.deleted))
                body = {"id": workout_id, "name": "Again"}
                assert self.request("POST", WORKOUTS, body).status_code == 201
                self.workouts.append(workout_id)

        @rule(pick=PICK, name=st.sampled_from(["Push", "Pull", "Legs"]))
        def rename_workout(self, pick: int, name: str) -> None:
            if workout_id := self._workout(pick):
                response = self.request("PATCH", f"{WORKOUTS}/{workout_id}", {"name": name})
                assert response.status_code in (200, 409)

        @rule(pick=PICK, reps=st.integers(0, 20))
        def add_or_change_set(self, pick: int, reps: int) -> None:
            if workout_id := self._workout(pick):
                workout = self.request("GET", f"{WORKOUTS}/{workout_id}").json()
                if not workout["exercises"]:
                    body = {"exercise_id": pool[pick % len(pool)]}
                    response = self.request("POST", f"{WORKOUTS}/{workout_id}/exercises", body)
                    assert response.status_code in (201, 409)
                    return
                execution = workout["exercises"][pick % len(workout["exercises"])]
                path = f"{WORKOUTS}/{workout_id}/exercises/{execution['exercise_id']}/sets"
                if execution["sets"] and pick % 2:
                    path = f"{path}/{execution['sets'][0]['id']}"
                    response = self.request("PATCH", path, {"reps": reps})
                else:
                    response = self.request("POST", path, {"reps": reps})
                assert response.status_code in (200, 201, 409)

        @rule(pick=PICK)
        def remove_execution(self, pick: int) -> None:
            if workout_id := self._workout(pick):
                workout = self.request("GET", f"{WORKOUTS}/{workout_id}").json()
                if workout["exercises"]:
                    execution = workout["exercises"][pick % len(workout["exercises"])]
                    path = f"{WORKOUTS}/{workout_id}/exercises/{execution['exercise_id']}"
                    assert self.request("DELETE", path).status_code in (204, 409)

        @rule(pick=PICK)
        def reverse_order(self, pick: int) -> None:
            if workout_id := self._workout(pick):
                workout = self.request("GET", f"{WORKOUTS}/{workout_id}").json()
                order = [e["exercise_id"] for e in reversed(workout["exercises"])]
                path = f"{WORKOUTS}/{workout_id}/exercises/order"
                response = self.request("PUT", path, {"exercise_ids": order})
                assert response.status_code in (200, 409)

        @rule(pick=PICK, finish=st.booleans())
        def finish_or_reopen(self, pick: int, finish: bool) -> None:
            if workout_id := self._workout(pick):
                action = "finish" if finish else "reopen"
                response = self.request("POST", f"{WORKOUTS}/{workout_id}/{action}")
                assert response.status_code in (200, 409)

        @rule(pick=PICK)
        def delete_workout(self, pick: int) -> None:
            if workout_id := self._workout(pick):
                assert self.request("DELETE", f"{WORKOUTS}/{workout_id}").status_code == 204
                self.workouts.remove(workout_id)
                self.deleted.append(workout_id)

        @rule(pick=PICK)
        def create_or_rename_exercise(self, pick: int) -> None:
            name = f"Own lift {uuid.uuid4().hex[:8]}"
            if self.exercises and pick % 2:
                exercise_id = self.exercises[pick % len(self.exercises)]
                response = self.request("PATCH", f"{EXERCISES}/{exercise_id}", {"name": name})
                assert response.status_code == 200
                return
            body = {"name": name, "body_part": "back", "modality": "CABLE"}
            response = self.request("POST", EXERCISES, body)
            assert response.status_code == 201
            exercise_id = response.json()["id"]
            self.exercises.append(exercise_id)
            if workout_id := self._workout(pick):  # use it, so a rename reaches a workout
                path = f"{WORKOUTS}/{workout_id}/exercises"
                response = self.request("POST", path, {"exercise_id": exercise_id})
                assert response.status_code in (201, 409)

        @rule(pick=PICK)
        def delete_exercise(self, pick: int) -> None:
            if self.exercises:
                exercise_id = self.exercises[pick % len(self.exercises)]
                response = self.request("DELETE", f"{EXERCISES}/{exercise_id}")
                assert response.status_code in (204, 409)  # 409: a workout uses it
                if response.status_code == 204:
                    self.exercises.remove(exercise_id)

        @rule(days=st.integers(1, 3))
        def import_strong_file(self, days: int) -> None:
            self.imports += 1
            rows = ["Date,Workout Name,Exercise Name,Set Order,Weight,Reps"]
            for day in range(1, days + 1):
                started = f"{date(2025, 1, 1) + timedelta(days=7 * self.imports + day)} 07:00:00"
                rows.append(f"{started},Import {day},Bench Press (Barbell),1,100,5")
                rows.append(f"{started},Import {day},Machine Lift {self.imports},1,40,10")
            response = run(self._import, "\n".join(rows).encode())
            assert response.status_code == 201, response.text
            workouts = self.request("GET", f"{WORKOUTS}?size=100").json()["items"]
            self.workouts = [w["id"] for w in workouts]
            own = self.request("GET", f"{EXERCISES}/my-exercises?size=100").json()["items"]
            self.exercises = [e["id"] for e in own]

        async def _import(self, content: bytes) -> httpx.Response:
            return await client.post(
                "/api/v1/imports",
                files={"file": ("strong.csv", content, "text/csv")},
                data={"source": "strong", "unit": "kg"},
                headers=self.user.headers,
            )

        @rule(device=st.integers(0, 1), limit=LIMITS)
        def sync_one_page(self, device: int, limit: int) -> None:
            replica = self.devices[device]
            replica.apply(run(read_page, client, self.user, replica.cursor, limit))

        @rule(device=st.integers(0, 1), limit=LIMITS)
        def sync_to_the_end(self, device: int, limit: int) -> None:
            replica = self.devices[device]
            run(replica.sync, client, self.user, limit)
            assert replica.objects == run(server_state, client, self.user)

        def teardown(self) -> None:
            if not hasattr(self, "devices"):
                return
            state = run(server_state, client, self.user)
            for replica in self.devices:
                run(replica.sync, client, self.user, 4)
                assert replica.objects == state
            assert set(self.workouts) == {key[1] for key in state if key[0] == "workout"}

    return TwoDevices


async def test_replicas_built_from_the_feed_equal_the_server(
    client: httpx.AsyncClient, exercise_ids: list[uuid.UUID]
) -> None:
    machine = replicas_machine(client, [str(exercise_id) for exercise_id in exercise_ids])
    machine.TestCase.settings = settings(
        max_examples=12,
        stateful_step_count=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    # Hypothesis drives the steps from a worker thread; each runs on the test's event loop.
    await anyio.to_thread.run_sync(run_state_machine_as_test, machine)
