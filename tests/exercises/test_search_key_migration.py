"""Migration 4b7e1f0c9a2d fills `exercise.search_key` with a frozen copy of the folding in
`ironlog.core.text` (migrations import nothing of the app): the two must agree on any name."""

import importlib.util
from pathlib import Path
from types import ModuleType

from hypothesis import given
from hypothesis import strategies as st

import ironlog
from ironlog.core.text import search_key

VERSIONS = Path(ironlog.__file__).parent / "migrations" / "versions"


def _migration() -> ModuleType:
    (path,) = VERSIONS.glob("*_exercise_search_key_4b7e1f0c9a2d.py")
    spec = importlib.util.spec_from_file_location("search_key_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MIGRATION = _migration()
NAMES = st.text(
    st.sampled_from(list("abcdeéiosxyz -'’_.,()/%ÉÀç0123456789ﬁ")) | st.characters(), max_size=100
)


@given(NAMES)
def test_the_migrations_folding_is_the_apps(name: str) -> None:
    assert MIGRATION._search_key(name) == search_key([name])


def test_the_migrations_folding_on_lifters_names() -> None:
    for name in ("Pull-Ups", "Farmer's Walk", "Plié Squats", "DB Flyes", "Calves", "Abs"):
        assert MIGRATION._search_key(name) == search_key([name]), name
