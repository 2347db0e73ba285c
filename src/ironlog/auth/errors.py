from ironlog.core.errors import Conflict, Forbidden, NotAuthenticated, NotFound


class EmailTaken(Conflict):
    code = "email_taken"
    default_detail = "An account with this email already exists."


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_detail = "The email or password is wrong."
    persist_changes = True  # the failure is counted for throttling


class WrongCurrentPassword(Forbidden):
    code = "invalid_credentials"
    default_detail = "The current password is wrong."


class InvalidRefreshToken(NotAuthenticated):
    code = "invalid_refresh_token"
    default_detail = "The refresh token is unknown, expired or revoked."


class RefreshTokenReused(NotAuthenticated):
    code = "refresh_token_reused"
    default_detail = "This refresh token was already used; the session has been revoked."
    persist_changes = True  # the session's revocation must stick


class GoogleLoginDisabled(NotFound):
    code = "google_login_disabled"
    default_detail = "Google sign-in is not configured on this server."


class GoogleLinkRequired(Conflict):
    code = "google_link_required"
    default_detail = "An account with this email exists; sign in to it and link Google from there."
