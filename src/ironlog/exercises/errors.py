from ironlog.core.errors import Conflict, Forbidden, NotFound


class ExerciseNotFound(NotFound):
    default_detail = "The exercise does not exist."


class ExerciseNameTaken(Conflict):
    code = "exercise_name_taken"
    default_detail = "A system exercise or one of your own already has this name."


class SystemExerciseReadOnly(Forbidden):
    code = "system_exercise_read_only"
    default_detail = "System exercises cannot be changed or deleted."


class ExerciseInUse(Conflict):
    code = "exercise_in_use"
    default_detail = "The exercise is used in one of your workouts; remove it from them first."
