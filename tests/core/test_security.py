import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ironlog.core import security
from ironlog.core.security import InvalidToken, TokenCodec
from tests.conftest import make_settings


@pytest.fixture
def codec(tmp_path: Path) -> TokenCodec:
    return TokenCodec(make_settings("sqlite:///unused.db", tmp_path))


def test_a_remembered_token_still_expires(
    codec: TokenCodec, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    issued = datetime.now(UTC) - codec.ttl + timedelta(seconds=30)  # expires in 30 s
    token = codec.encode(user_id=user_id, session_id=session_id, now=issued)
    claims = codec.decode(token)
    assert (claims.user_id, claims.session_id) == (user_id, session_id)
    assert codec.decode(token) == claims  # the second time from memory

    later = datetime.now(UTC).timestamp() + 31
    monkeypatch.setattr(security.time, "time", lambda: later)
    with pytest.raises(InvalidToken, match="expired"):
        codec.decode(token)


def test_invalid_tokens_are_never_remembered(codec: TokenCodec) -> None:
    for _ in range(3):
        with pytest.raises(InvalidToken):
            codec.decode("not.a.token")
    assert codec._verified.cache_info().currsize == 0
    assert codec._verified.cache_info().misses == 3
