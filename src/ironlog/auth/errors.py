from ironlog.core.errors import Conflict, DomainError, Forbidden, NotAuthenticated, NotFound


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
    persist_changes = True  # the attempt was counted for throttling: that must stick


class ForeignOrigin(Forbidden):
    default_detail = (
        "Cookie-mode requests are accepted from this server's own origin or a configured CORS "
        "origin only."
    )


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


# The errors of Google sign-in set `persist_changes`: a callback consumes its sign-in state before
# anything can fail, and that consumption must stick, so a state is never accepted twice. They are
# raised before any other write (account writes run in a savepoint), so nothing else is kept.


class GoogleLinkRequired(Conflict):
    code = "google_link_required"
    default_detail = "An account with this email exists; sign in to it and link Google from there."
    persist_changes = True


class GoogleIdentityTaken(Conflict):
    code = "google_identity_taken"
    default_detail = "This Google account is already linked to another IronLog account."
    persist_changes = True


class GoogleAlreadyLinked(Conflict):
    code = "google_already_linked"
    default_detail = "This account is already linked to another Google account."
    persist_changes = True


class InvalidOAuthState(DomainError):
    status = 400
    code = "invalid_oauth_state"
    default_detail = (
        "The sign-in state is unknown or was already used; start again at /auth/google/login."
    )
    persist_changes = True


class OAuthStateExpired(DomainError):
    status = 400
    code = "oauth_state_expired"
    default_detail = "The sign-in took too long (10 minutes); start again at /auth/google/login."
    persist_changes = True


class GoogleAuthorizationFailed(NotAuthenticated):
    code = "google_authorization_failed"
    default_detail = "Google did not authorize the sign-in."
    persist_changes = True


class InvalidIdToken(NotAuthenticated):
    code = "invalid_id_token"
    default_detail = "The Google ID token is invalid."
    persist_changes = True


class IdentityProviderUnavailable(DomainError):
    status = 503
    code = "identity_provider_unavailable"
    default_detail = "Google sign-in is not answering; try again shortly."
    persist_changes = True

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": "5"})


# Administration (docs/administration.md): who may register, disabled accounts, reset links.


class RegistrationClosed(Forbidden):
    code = "registration_closed"
    default_detail = "This server does not accept new accounts; ask its administrator."
    persist_changes = True  # raised before any write; a Google callback's consumed state sticks


class InviteInvalid(Forbidden):
    code = "invite_invalid"
    default_detail = (
        "This server registers new accounts by invite only, and this invite is unknown, already "
        "used, revoked or expired; ask its administrator for a new one."
    )


class AccountDisabled(Forbidden):
    code = "account_disabled"
    default_detail = "This account is disabled; ask the server's administrator."
    persist_changes = True  # raised before any write; a Google callback's consumed state sticks


class InvalidResetToken(DomainError):
    status = 400
    code = "reset_token_invalid"
    default_detail = (
        "This password reset link is unknown, already used or expired; ask the server's "
        "administrator for a new one."
    )
