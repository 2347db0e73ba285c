from datetime import date
from typing import Annotated, Any

from fastapi import Body, Path, Query, Response, status

from ironlog.auth.dependencies import CurrentUserId, Reader
from ironlog.core.errors import InvalidField, NotAuthenticated, problem_responses
from ironlog.core.pagination import Page, PageParams
from ironlog.core.routing import SessionDep, api_router, read_only
from ironlog.core.schemas import BoundedDate, PlainDate
from ironlog.measurements import service
from ironlog.measurements.errors import MeasurementNotFound
from ironlog.measurements.schemas import MeasurementRead, MeasurementWrite
from ironlog.models import BodyMeasurement

router = api_router(
    prefix="/body-measurements",
    tags=["body-measurements"],
    responses=problem_responses(NotAuthenticated),
)

MeasurementDate = Annotated[
    BoundedDate,
    Path(
        description="The entry's local date, `YYYY-MM-DD`, in the years 1900 to 2999 (a date "
        "that does not exist is 422).",
        examples=["2026-11-20"],
    ),
]
PUT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The entry of that date was replaced."},
    201: {
        "description": "The entry of that date was created.",
        "model": MeasurementRead,
        "headers": {"Location": {"schema": {"type": "string"}}},
    },
}


def location(measurement_date: date) -> str:
    return f"/api/v1/body-measurements/{measurement_date.isoformat()}"


@router.get(
    "",
    response_model=Page[MeasurementRead],
    summary="List your body measurements",
    responses=problem_responses(InvalidField),
)
@read_only
async def list_measurements(
    read: Reader,
    page: PageParams,
    date_from: Annotated[
        PlainDate | None, Query(alias="from", description="On or after this date.")
    ] = None,
    date_to: Annotated[
        PlainDate | None, Query(alias="to", description="On or before this date.")
    ] = None,
) -> dict[str, object]:
    """The caller's entries, newest date first, optionally from / to a date (inclusive), paged."""
    if date_from and date_to and date_from > date_to:
        raise InvalidField(["query", "from"], "from must not be after to")
    return await service.list_measurements(
        read.session, caller=read.caller, date_from=date_from, date_to=date_to, page=page
    )


@router.get(
    "/{measurement_date}",
    response_model=MeasurementRead,
    summary="Get the body measurement of a date",
    responses=problem_responses(MeasurementNotFound),
)
@read_only
async def get_measurement(measurement_date: MeasurementDate, read: Reader) -> BodyMeasurement:
    """The caller's entry of that date; 404 when there is none."""
    return await service.get(read.session, caller=read.caller, measurement_date=measurement_date)


@router.put(
    "/{measurement_date}",
    response_model=MeasurementRead,
    summary="Create or replace the body measurement of a date",
    responses=PUT_RESPONSES,
)
async def put_measurement(
    measurement_date: MeasurementDate,
    session: SessionDep,
    user_id: CurrentUserId,
    data: Annotated[MeasurementWrite, Body()],
    response: Response,
) -> BodyMeasurement:
    """Create the entry of that date (201, with `Location`) or replace it whole (200): fields
    left out become null, as in any `PUT`. It needs at least one number (weight, body fat or a
    circumference); notes alone are 422."""
    saved = await service.put(
        session, user_id=user_id, measurement_date=measurement_date, data=data
    )
    if saved.created:
        response.status_code = status.HTTP_201_CREATED
        response.headers["Location"] = location(measurement_date)
    return saved.entry


@router.delete(
    "/{measurement_date}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete the body measurement of a date",
    responses=problem_responses(MeasurementNotFound),
)
async def delete_measurement(
    measurement_date: MeasurementDate, session: SessionDep, user_id: CurrentUserId
) -> None:
    """Delete the caller's entry of that date; 404 when there is none."""
    await service.delete(session, user_id=user_id, measurement_date=measurement_date)
