from ironlog.core.errors import NotFound


class MeasurementNotFound(NotFound):
    default_detail = "There is no body measurement for this date."
