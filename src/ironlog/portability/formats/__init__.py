"""Reading trackers' exports: detection of the format, then one parser per format.

`parse_file` turns a binary file into a `ParsedFile` (the neutral model), or raises
`UnrecognizedFile`. It reads the file as a stream and is synchronous: run it in a thread.
"""

from collections.abc import Callable
from typing import NamedTuple

from ironlog.portability.formats import fitnotes, hevy, ironlog_csv, ironlog_json, strong
from ironlog.portability.formats.model import (
    BinaryFile,
    ParsedFile,
    ParseOptions,
    Progress,
    UnrecognizedFile,
)
from ironlog.portability.formats.reader import (
    SAMPLE_BYTES,
    Columns,
    CsvFile,
    NotText,
    open_text,
    read_csv,
)

SOURCES = ("auto", "strong", "hevy", "fitnotes", "ironlog_csv", "ironlog_json")


class CsvFormat(NamedTuple):
    description: str
    matches: Callable[[Columns], bool]
    parse: Callable[[CsvFile, ParseOptions, Progress | None], ParsedFile]


# Detection order: the most specific header first (IronLog's has every column of its own).
CSV_FORMATS = {
    "ironlog_csv": CsvFormat("an IronLog CSV export", ironlog_csv.matches, ironlog_csv.parse),
    "hevy": CsvFormat("a Hevy export", hevy.matches, hevy.parse),
    "strong": CsvFormat("a Strong export", strong.matches, strong.parse),
    "fitnotes": CsvFormat("a FitNotes export", fitnotes.matches, fitnotes.parse),
}


def parse_file(
    file: BinaryFile, *, source: str, options: ParseOptions, progress: Progress | None = None
) -> ParsedFile:
    file.seek(0)
    sample = file.read(SAMPLE_BYTES)
    file.seek(0)
    if source == "ironlog_json" or (source == "auto" and ironlog_json.looks_like(sample)):
        return ironlog_json.parse(file, options, progress)
    try:
        text = open_text(file)
    except NotText as error:
        raise UnrecognizedFile(f"{error}; expected a CSV or JSON export") from None
    csv_file = read_csv(text)
    if csv_file is None:
        raise UnrecognizedFile("the file is empty")
    columns = Columns(csv_file.header)
    if source == "auto":
        for kind in CSV_FORMATS.values():
            if kind.matches(columns):
                return kind.parse(csv_file, options, progress)
        shown = ", ".join(name[:40] for name in csv_file.header[:8])
        raise UnrecognizedFile(
            f"the header ({shown}) is not that of a Strong, Hevy, FitNotes or IronLog export"
        )
    kind = CSV_FORMATS[source]
    if not kind.matches(columns):
        raise UnrecognizedFile(f"the header is not that of {kind.description}")
    return kind.parse(csv_file, options, progress)
