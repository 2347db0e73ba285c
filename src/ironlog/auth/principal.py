import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user and the session (refresh-token family) of their access token,
    whose session was found active."""

    user_id: uuid.UUID
    session_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class ClaimedPrincipal:
    """Who a valid access token says is calling, before its session has been checked.

    Only for `@read_only` routes whose statement folds the check in (`auth.repository.
    ACTIVE_SESSION`, bound by `params()`), so that a read costs one round trip; any refusal
    of the request checks the session first (`auth.dependencies`), so an ended session is a
    401 rather than a 404 or a 422. A test keeps every route that takes one read-only.
    """

    user_id: uuid.UUID
    session_id: uuid.UUID

    def params(self) -> dict[str, Any]:
        """The bind parameters of `ACTIVE_SESSION` (and of the `user_id` filters)."""
        return {"user_id": self.user_id, "session_id": self.session_id}
