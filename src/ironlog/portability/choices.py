"""The choices of an import or an export (file source, weight unit, export format): plain enums
without Pydantic, so that `ironlog`'s command line declares its options without importing the
application."""

import enum


class ImportSource(enum.StrEnum):
    AUTO = "auto"
    STRONG = "strong"
    HEVY = "hevy"
    FITNOTES = "fitnotes"
    IRONLOG_CSV = "ironlog_csv"
    IRONLOG_JSON = "ironlog_json"


class WeightUnit(enum.StrEnum):
    KG = "kg"
    LB = "lb"


class ExportFormat(enum.StrEnum):
    JSON = "json"
    CSV = "csv"
