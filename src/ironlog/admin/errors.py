from ironlog.core.errors import Conflict, NotFound


class UserNotFound(NotFound):
    default_detail = "No account has this id."


class InviteNotFound(NotFound):
    default_detail = "No invite has this id."


class LastAdmin(Conflict):
    code = "last_admin"
    default_detail = (
        "This is the last enabled administrator: make another account administrator first."
    )
