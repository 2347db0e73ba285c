"""A typed Python client generated from the OpenAPI document (openapi-python-client, as
`make client` runs it) works against a running server: register, log in, record a workout with
sets, read it back, and get errors as typed problem details."""

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import uuid4

import httpx
from typer.testing import CliRunner

from ironlog.cli import app as cli
from tests.live_server import REQUEST_TIMEOUT, live_server

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "openapi-python-client.yaml"
PACKAGE = "ironlog_client"


def generate(document: Path, output: Path) -> str:
    """Run the generator as `make client` does; its output (warnings included)."""
    generator = Path(sys.executable).with_name("openapi-python-client")
    environment = {**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(  # noqa: S603 - the project's own dev tool
        [
            str(generator),
            "generate",
            f"--path={document}",
            f"--config={CONFIG}",
            "--meta=uv",
            f"--output-path={output}",
        ],
        cwd=output.parent,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@contextmanager
def imported(project: Path) -> Iterator[dict[str, ModuleType]]:
    """The generated package's modules, imported from `project`, forgotten afterwards."""
    sys.path.insert(0, str(project))
    try:
        names = [
            "",
            ".models",
            ".api.auth.register",
            ".api.auth.login",
            ".api.exercises.search_exercises",
            ".api.workouts.create_workout",
            ".api.workouts.get_workout",
            ".api.workouts.list_workouts",
        ]
        yield {name.rsplit(".", 1)[-1]: importlib.import_module(PACKAGE + name) for name in names}
    finally:
        sys.path.remove(str(project))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_generated_client_records_and_reads_a_workout(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'server' / 'data' / 'ironlog.db'}"
    with live_server(tmp_path / "server", database_url) as server:
        served = httpx.get(f"{server.url}/openapi.json", timeout=REQUEST_TIMEOUT).json()
        offline = CliRunner().invoke(cli, ["openapi"])
        assert json.loads(offline.output) == served  # `make client` needs no server
        document = tmp_path / "openapi.json"
        document.write_text(json.dumps(served))

        output = generate(document, tmp_path / "ironlog-client")

        assert "Warning" not in output, output
        with imported(tmp_path / "ironlog-client") as modules:
            _use_the_client(server.url, modules)


def _use_the_client(url: str, m: dict[str, Any]) -> None:
    models = m["models"]
    anonymous = m[""].Client(base_url=url, raise_on_unexpected_status=True)
    email, password = f"client-{uuid4().hex[:8]}@example.com", "correct horse"

    account = m["register"].sync(
        client=anonymous, body=models.RegisterRequest(email=email, password=password, name="Ada")
    )
    assert isinstance(account, models.AuthResult)
    assert account.user.email == email

    tokens = m["login"].sync(
        client=anonymous, body=models.LoginRequest(email=email, password=password)
    )
    assert isinstance(tokens, models.TokenPair)
    refused = m["login"].sync(
        client=anonymous, body=models.LoginRequest(email=email, password="wrong password")
    )
    assert isinstance(refused, models.Problem)
    assert (refused.status, refused.code) == (401, "invalid_credentials")

    client = m[""].AuthenticatedClient(
        base_url=url, token=tokens.access_token, raise_on_unexpected_status=True
    )
    found = m["search_exercises"].sync(client=client, q="bench press", size=100)
    assert isinstance(found, models.PageExerciseRead)
    bench = next(item for item in found.items if item.name == "Bench Press")

    started = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)
    sets = [
        models.SetWrite(weight_kg=80.0, reps=5, rpe=8.0, rest_seconds=120),
        models.SetWrite(set_type=models.SetType.FAILURE, weight_kg=82.5, reps=3),
    ]
    created = m["create_workout"].sync(
        client=client,
        body=models.WorkoutCreate(
            name="Push day",
            started_at=started,
            exercises=[models.ExecutionWrite(exercise_id=bench.id, sets=sets)],
        ),
    )
    assert isinstance(created, models.WorkoutRead)

    workout = m["get_workout"].sync(client=client, workout_id=created.id)
    assert isinstance(workout, models.WorkoutRead)
    assert (workout.name, workout.started_at, workout.status) == (
        "Push day",
        started,
        models.WorkoutStatus.IN_PROGRESS,
    )
    [execution] = workout.exercises
    assert execution.exercise.name == "Bench Press"
    assert [(s.position, s.set_type, s.weight_kg, s.reps) for s in execution.sets] == [
        (0, models.SetType.NORMAL, 80.0, 5),
        (1, models.SetType.FAILURE, 82.5, 3),
    ]
    listed = m["list_workouts"].sync(client=client)
    assert [item.id for item in listed.items] == [created.id]

    missing = m["get_workout"].sync(client=client, workout_id=uuid4())
    assert isinstance(missing, models.Problem)
    assert (missing.status, missing.code) == (404, "not_found")
