"""Every ORM model, imported here so that Alembic sees the whole schema."""

from ironlog.models.auth_session import AuthSession
from ironlog.models.base import Base
from ironlog.models.body_measurement import BodyMeasurement
from ironlog.models.exercise import Exercise, Modality
from ironlog.models.exercise_execution import ExerciseExecution
from ironlog.models.idempotency_key import IdempotencyKey
from ironlog.models.invite import Invite
from ironlog.models.login_failure import LoginFailure
from ironlog.models.oidc_login import OidcLogin
from ironlog.models.password_reset import PasswordReset
from ironlog.models.refresh_token import RefreshToken
from ironlog.models.routine import Routine
from ironlog.models.routine_exercise import RoutineExercise
from ironlog.models.routine_folder import RoutineFolder
from ironlog.models.routine_set import RoutineSet
from ironlog.models.sync_tombstone import SyncTombstone
from ironlog.models.synced import Synced
from ironlog.models.training_summary import ExecutionSummary, ExerciseSummary
from ironlog.models.user import User
from ironlog.models.user_preferences import UserPreferences
from ironlog.models.workout import Workout, WorkoutStatus
from ironlog.models.workout_set import SetType, WorkoutSet

__all__ = [
    "AuthSession",
    "Base",
    "BodyMeasurement",
    "ExecutionSummary",
    "Exercise",
    "ExerciseExecution",
    "ExerciseSummary",
    "IdempotencyKey",
    "Invite",
    "LoginFailure",
    "Modality",
    "OidcLogin",
    "PasswordReset",
    "RefreshToken",
    "Routine",
    "RoutineExercise",
    "RoutineFolder",
    "RoutineSet",
    "SetType",
    "SyncTombstone",
    "Synced",
    "User",
    "UserPreferences",
    "Workout",
    "WorkoutSet",
    "WorkoutStatus",
]
