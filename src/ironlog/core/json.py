"""One JSON encoder for every response: orjson, with the types IronLog serves."""

from decimal import Decimal
from typing import Any

import orjson
from asyncpg.pgproto import pgproto  # type: ignore[import-untyped]
from starlette.responses import Response


def _default(value: Any) -> Any:
    # asyncpg's own UUID type, read on PostgreSQL, first and by exact type: every id of a
    # workout read comes here.
    if type(value) is pgproto.UUID:
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError


def dumps(value: Any) -> bytes:
    # UTC datetimes serialise as "...Z"; naive datetimes never reach here (UTCDateTime).
    return orjson.dumps(value, default=_default, option=orjson.OPT_UTC_Z)


loads = orjson.loads


def json_response(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response serialised once, for read paths that bypass response validation."""
    return Response(dumps(content), status_code, headers, media_type="application/json")
