from typing import Any, ClassVar

from ironlog.core.errors import Conflict, Unprocessable
from ironlog.portability.formats.model import RowIssue

MAX_REPORTED_ERRORS = 100


class ImportUnrecognized(Unprocessable):
    code = "import_unrecognized"
    default_detail = "The file is not a Strong, Hevy, FitNotes or IronLog export."


class ImportInvalid(Unprocessable):
    code = "import_invalid"
    default_detail = "Some rows of the file cannot be read; nothing was imported."
    example_errors: ClassVar[list[dict[str, Any]]] = [
        {"row": 7, "message": "reps 'eight' is not a number"}
    ]

    def __init__(self, errors: list[RowIssue]) -> None:
        self.errors = errors
        shown = min(len(errors), MAX_REPORTED_ERRORS)
        super().__init__(
            f"{len(errors)} row(s) of the file cannot be read, so nothing was imported "
            f"(the first {shown} are listed in `errors`); fix them or send "
            "`skip_invalid_rows=true` to import the rest."
        )

    def extra(self) -> dict[str, Any]:
        return {
            "errors": [
                {"row": error.row, "message": error.message}
                for error in self.errors[:MAX_REPORTED_ERRORS]
            ]
        }


class ImportConflict(Conflict):
    code = "import_conflict"
    default_detail = (
        "Another import wrote the same workouts or exercises at the same time; send the file again."
    )
