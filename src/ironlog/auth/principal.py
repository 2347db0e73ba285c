import uuid
from dataclasses import dataclass

from ironlog.models import User


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user and the session (refresh-token family) of their access token."""

    user: User
    session_id: uuid.UUID
