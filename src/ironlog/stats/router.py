from ironlog.auth.dependencies import Reader
from ironlog.core.errors import NotAuthenticated, problem_responses
from ironlog.core.routing import api_router, read_only
from ironlog.stats import service
from ironlog.stats.dependencies import PeriodParams
from ironlog.stats.schemas import RecordRead, StatsRead

# Under /users/me like the account itself, but documented under its own tag.
router = api_router(
    prefix="/users",
    tags=["stats"],
    responses=problem_responses(NotAuthenticated),
)


@router.get("/me/stats", response_model=StatsRead, summary="Training statistics")
@read_only
async def get_stats(read: Reader, period: PeriodParams) -> service.Stats:
    """Totals, weekly figures, streaks and top exercises over the caller's workouts, optionally
    only those started (a local date, in the time zone of the caller's preferences) between
    `from` and `to`, both inclusive.

    Working sets are completed sets that are not warm-ups; sets, reps, volume (weight x reps) and
    top exercises count only those. Weeks start on the preferences' `week_starts_on` (Monday by
    default). A `from` after `to` is 422 `validation_error`."""
    return await service.get_stats(read.session, caller=read.caller, period=period)


@router.get("/me/records", response_model=list[RecordRead], summary="Personal records")
@read_only
async def list_records(read: Reader, period: PeriodParams) -> list[service.Record]:
    """One item per exercise with a working set, sorted by name: heaviest weight (with its reps),
    best estimated 1RM (Epley), most reps in a set, best set volume, longest duration and longest
    distance, each with the `started_at` of its workout. Weights and volumes are exact to the
    gram, the estimated 1RM is rounded to two decimals; on a tie the earliest set holds the
    record. A record needs a positive value (a weight of 0 gives no heaviest weight, 0 reps no
    most reps); one no set qualifies for is null."""
    return await service.get_records(read.session, caller=read.caller, period=period)
