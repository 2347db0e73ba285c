from ironlog.core.errors import Conflict, NotFound, Unprocessable


class RoutineNotFound(NotFound):
    default_detail = "The routine does not exist."


class FolderNotFound(NotFound):
    default_detail = "The routine folder does not exist."


class RoutineExists(Conflict):
    code = "routine_exists"
    default_detail = "A routine with this id already exists."


class FolderExists(Conflict):
    code = "routine_folder_exists"
    default_detail = "A routine folder with this id already exists."


class UnknownFolder(Unprocessable):
    code = "unknown_folder"
    default_detail = "The folder does not exist or is not yours."


class InvalidOrder(Unprocessable):
    code = "invalid_order"
    default_detail = "ids must list each of your routines (or folders) exactly once."
