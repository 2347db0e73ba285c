"""Names are unique per user by `name_key`, whatever case, spacing and Unicode form they take."""

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ironlog.exercises.names import name_key
from ironlog.models import Exercise
from tests.conftest import register_user
from tests.exercises.conftest import EXERCISES, exercise_body

# Letters whose case mapping or compatibility form is tricky, plus plain ones and spaces.
LETTERS = "abeiklorsABEIKLORSßẞσςΣıİéÉǅǄǆﬁ\u212a\u0301ＢＥＮＣＨ-"
SPACES = [" ", "  ", "\u00a0", "\u3000", "\t"]
SYSTEM_NAMES = ["Bench Press", "Deadlift", "Pull-Up"]

raw_names = st.one_of(
    st.sampled_from(SYSTEM_NAMES),
    st.text(alphabet=LETTERS + " ", min_size=1, max_size=16),
).filter(lambda name: bool(name_key(name)))


@st.composite
def disguised(draw: st.DrawFn, name: str) -> str:
    """The same name in another case, width and spacing: the same key most of the time."""
    out = []
    for char in name:
        if char.isspace():
            out.append(draw(st.sampled_from(SPACES)))
        else:
            change = draw(st.sampled_from([str, str.upper, str.lower, str.swapcase]))
            out.append(change(char))
    pad = st.sampled_from(["", *SPACES])
    return draw(pad) + "".join(out) + draw(pad)


@st.composite
def name_sequences(draw: st.DrawFn) -> list[str]:
    bases = draw(st.lists(raw_names, min_size=1, max_size=3))
    count = draw(st.integers(min_value=2, max_value=6))
    return [draw(disguised(draw(st.sampled_from(bases)))) for _ in range(count)]


@pytest.fixture
def system_keys(library_entries: list[dict[str, Any]]) -> set[str]:
    return {name_key(entry["name"]) for entry in library_entries}


@pytest.mark.anyio
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=name_sequences())
async def test_one_user_never_holds_two_exercises_with_one_name_key(
    client: httpx.AsyncClient, db: AsyncSession, system_keys: set[str], names: list[str]
) -> None:
    user = await register_user(client)  # a fresh user per example
    taken = set(system_keys)
    created: set[str] = set()
    for name in names:
        response = await client.post(EXERCISES, json=exercise_body(name=name), headers=user.headers)
        key = name_key(name)
        if key in taken:
            assert response.status_code == 409, (name, response.text)
            assert response.json()["code"] == "exercise_name_taken"
        else:
            assert response.status_code == 201, (name, response.text)
            assert response.json()["name"] == name.strip()
            taken.add(key)
            created.add(key)
    stored = list(await db.scalars(select(Exercise.name_key).where(Exercise.user_id == user.id)))
    assert len(stored) == len(set(stored))
    assert set(stored) == created


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Bench Press", "  bench   PRESS "),
        ("Straße Curl", "STRASSE CURL"),
        ("ＢＥＮＣＨ Row", "bench row"),
        ("ﬁnal Fly", "FINAL FLY"),
        ("Café Dip", "Cafe\u0301 dip"),
    ],
)
def test_name_key_folds_case_width_and_spaces(first: str, second: str) -> None:
    assert name_key(first) == name_key(second)


def test_name_key_keeps_different_letters_apart() -> None:
    assert name_key("Bench Press") != name_key("Bench Presses")
    assert name_key("Row") != name_key("Rów")
