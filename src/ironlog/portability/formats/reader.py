"""Turning an uploaded file into text and CSV records, whatever its encoding and delimiter.

Files are read as a stream (never whole into memory): the byte-order mark decides the encoding
(UTF-8 without one; Windows-1252 when the start of the file is not UTF-8), the header line decides
the delimiter.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from ironlog.portability.formats.model import BinaryFile

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t"
# A cell may hold a long note; the csv module's default limit (128 KiB) is far above any real one.
csv.field_size_limit(1024 * 1024)


class UnreadableCsv(ValueError):
    """The csv module cannot read on from this row (a cell longer than the limit...)."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(f"row {row}: {reason}")
        self.row = row
        self.reason = reason


class NotText(ValueError):
    """The file is binary, or in no encoding a tracker writes."""


def open_text(file: BinaryFile) -> io.TextIOWrapper:
    """The file as text; raises NotText for binary content."""
    file.seek(0)
    sample = file.read(SAMPLE_BYTES)
    file.seek(0)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        if b"\x00" in sample:
            raise NotText("the file is binary, not text")
        encoding = "utf-8-sig"
        try:
            sample.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still UTF-8.
            if error.start < len(sample) - 3:
                encoding = "cp1252"
    # `newline=""` as the csv module wants; undecodable bytes later in the file become U+FFFD.
    return io.TextIOWrapper(
        io.BufferedReader(_Unclosable(file)), encoding=encoding, errors="replace", newline=""
    )


class _Unclosable(io.RawIOBase):
    """Lets a TextIOWrapper read the upload without closing it when the wrapper goes away."""

    def __init__(self, file: BinaryFile) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass(slots=True)
class CsvFile:
    header: list[str]
    delimiter: str
    records: Iterator[tuple[int, list[str]]]


def read_csv(text: io.TextIOWrapper) -> CsvFile | None:
    """The header and an iterator of (row number, cells); None when the file has no header."""
    first_line = text.readline()
    if not first_line.strip():
        return None
    delimiter = sniff_delimiter(first_line)
    rest = csv.reader(text, delimiter=delimiter)
    header = next(csv.reader([first_line], delimiter=delimiter), [])
    header = [cell.strip().strip('"').strip() for cell in header]

    def records() -> Iterator[tuple[int, list[str]]]:
        number = 1
        while True:
            number += 1
            try:
                cells = next(rest)
            except StopIteration:
                return
            except csv.Error as error:  # a cell over the field limit, a NUL byte...
                raise UnreadableCsv(number, str(error)) from None
            if cells and any(cell.strip() for cell in cells):
                yield number, cells

    return CsvFile(header=header, delimiter=delimiter, records=records())


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: the csv module's sniffer, else the most frequent one."""
    try:
        dialect = csv.Sniffer().sniff(header_line, delimiters=DELIMITERS)
    except csv.Error:
        dialect = None
    if dialect is not None and len(header_line.split(dialect.delimiter)) > 1:
        return str(dialect.delimiter)
    return max(DELIMITERS, key=header_line.count)


def normalize_header(name: str) -> str:
    """Header names compared case-insensitively, with single spaces."""
    return " ".join(name.lower().split())


class Columns:
    """Where each named column is in a header (names compared case-insensitively)."""

    def __init__(self, header: list[str]) -> None:
        self.names = [normalize_header(name) for name in header]
        self.index: dict[str, int] = {}
        for position, name in enumerate(self.names):
            self.index.setdefault(name, position)

    def find(self, *names: str) -> int | None:
        for name in names:
            if name in self.index:
                return self.index[name]
        return None

    def has(self, *names: str) -> bool:
        return all(name in self.index for name in names)


def cell(cells: list[str], position: int | None) -> str:
    if position is None or position >= len(cells):
        return ""
    return cells[position].strip()
