from ironlog.core.errors import Conflict, NotFound, Unprocessable


class WorkoutNotFound(NotFound):
    default_detail = "The workout does not exist."


class ExecutionNotFound(NotFound):
    default_detail = "The exercise is not in this workout."


class SetNotFound(NotFound):
    default_detail = "The set does not exist in this exercise of the workout."


class WorkoutFinished(Conflict):
    code = "workout_finished"
    default_detail = "The workout is finished; reopen it to change it."


class WorkoutExists(Conflict):
    code = "workout_exists"
    default_detail = "A workout with this id already exists."


class ExerciseAlreadyInWorkout(Conflict):
    code = "exercise_already_in_workout"
    default_detail = "The exercise is already in this workout; add sets to it instead."


class DuplicateExercise(Unprocessable):
    code = "duplicate_exercise"
    default_detail = "An exercise appears more than once in the workout."


class UnknownExercise(Unprocessable):
    code = "unknown_exercise"
    default_detail = "The exercise does not exist or is not visible to you."


class InvalidOrder(Unprocessable):
    code = "invalid_order"
    default_detail = "exercise_ids must list each exercise of the workout exactly once."


class InvalidSuperset(Unprocessable):
    code = "invalid_superset"
    default_detail = (
        "Executions with the same superset number must be adjacent, and a superset needs at "
        "least two of them."
    )
