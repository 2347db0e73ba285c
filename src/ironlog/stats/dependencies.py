from typing import Annotated

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

from ironlog.core.schemas import PlainDate
from ironlog.stats.service import Period


def period_params(
    date_from: Annotated[
        PlainDate | None,
        Query(
            alias="from",
            description="First local date (your time zone) of `started_at` that counts "
            "(YYYY-MM-DD, inclusive).",
            examples=["2026-01-01"],
        ),
    ] = None,
    date_to: Annotated[
        PlainDate | None,
        Query(
            alias="to",
            description="Last local date (your time zone) of `started_at` that counts "
            "(YYYY-MM-DD, inclusive).",
            examples=["2026-12-31"],
        ),
    ] = None,
) -> Period:
    if date_from is not None and date_to is not None and date_from > date_to:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "from"),
                    "msg": "`from` must not be after `to`",
                    "type": "date_range",
                }
            ]
        )
    return Period(date_from=date_from, date_to=date_to)


PeriodParams = Annotated[Period, Depends(period_params)]
