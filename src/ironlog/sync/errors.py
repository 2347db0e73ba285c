from ironlog.core.errors import Unprocessable


class InvalidCursor(Unprocessable):
    code = "invalid_cursor"
    default_detail = (
        "The sync cursor cannot be read: send back a cursor this server gave you, or none for "
        "a full snapshot."
    )
