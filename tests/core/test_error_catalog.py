"""docs/errors.md lists every error code, generated from the code; the OpenAPI document lists
them too; a code declared anywhere in the package is picked up without being registered."""

import gc
import json
import re
from pathlib import Path

import httpx

from ironlog import error_catalog
from ironlog.core import errors
from ironlog.core.errors import Conflict
from ironlog.main import close_databases, create_app
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "ironlog"


def test_docs_errors_md_is_the_generated_table() -> None:
    document = (ROOT / error_catalog.DOCUMENT).read_text(encoding="utf-8")
    assert error_catalog.document_section(document) == error_catalog.markdown_table(), (
        "docs/errors.md is stale: run `uv run python -m ironlog.error_catalog --write`"
    )


def test_every_code_answered_is_in_the_catalog() -> None:
    listed = set(error_catalog.codes())
    declared = set()
    for file in SOURCE.rglob("*.py"):
        text = file.read_text(encoding="utf-8")
        declared |= set(re.findall(r'^\s+code = "(\w+)"', text, flags=re.MULTILINE))
        declared |= set(re.findall(r'problem_response\(\s*\d+,\s*"(\w+)"', text))
    declared |= set(errors._HTTP_CODES.values())
    assert declared, "the search finds the codes"
    assert declared - {"bad_request"} <= listed
    for entry in error_catalog.catalog():
        assert entry.meaning, entry.code
        assert entry.status is None or 400 <= entry.status < 600


def test_a_new_domain_error_is_picked_up() -> None:
    class TooManyPlates(Conflict):
        code = "too_many_plates"
        default_detail = "The bar holds no more plates."

    TooManyPlates.__module__ = "ironlog.workouts.errors"
    try:
        entries = error_catalog.catalog()
        assert error_catalog.ErrorCode("too_many_plates", 409, TooManyPlates.default_detail) in (
            entries
        )
    finally:
        del TooManyPlates
        gc.collect()
    assert "too_many_plates" not in error_catalog.codes()


async def test_openapi_document_lists_every_code(tmp_path: Path) -> None:
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        served = await client.get("/openapi.json")
    await close_databases(app)

    assert served.status_code == 200
    code = served.json()["components"]["schemas"]["Problem"]["properties"]["code"]
    assert code["examples"] == error_catalog.codes()
    text = json.dumps(served.json())
    for name in ("idempotency_key_reused", "forbidden", "method_not_allowed", *code["examples"]):
        assert f"`{name}`" in code["description"]
        assert name in text
