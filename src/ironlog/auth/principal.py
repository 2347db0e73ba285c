import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user and the session (refresh-token family) of their access token."""

    user_id: uuid.UUID
    session_id: uuid.UUID
