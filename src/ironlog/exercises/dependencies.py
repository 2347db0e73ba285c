"""Loaders of the exercise in the path. They run before the body is validated, so another
user's exercise is a 404 (and a system one a 403) whatever the body says."""

import uuid
from typing import Annotated

from fastapi import Depends, Path

from ironlog.auth.dependencies import CurrentUserId
from ironlog.core.routing import SessionDep
from ironlog.exercises import service
from ironlog.models import Exercise

ExerciseId = Annotated[uuid.UUID, Path(description="The exercise's id (a UUID).")]


async def get_own_exercise(
    session: SessionDep, user_id: CurrentUserId, exercise_id: ExerciseId
) -> Exercise:
    return await service.get_editable(session, user_id=user_id, exercise_id=exercise_id)


OwnExercise = Annotated[Exercise, Depends(get_own_exercise)]
