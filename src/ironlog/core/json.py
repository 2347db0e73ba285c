"""One JSON encoder for every response: orjson, with the types IronLog serves."""

from decimal import Decimal
from typing import Any

import orjson


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError


def dumps(value: Any) -> bytes:
    # UTC datetimes serialise as "...Z"; naive datetimes never reach here (UTCDateTime).
    return orjson.dumps(value, default=_default, option=orjson.OPT_UTC_Z)


loads = orjson.loads
