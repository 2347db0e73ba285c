"""OWASP API4 (unrestricted resource consumption): argon2id holds its memory cost for every hash,
so hashes run behind a limiter and a burst of logins queues instead of exhausting memory."""

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ironlog.core.security import PasswordHasher
from tests.conftest import make_settings


class Gauge:
    """Counts calls running at once in worker threads, and the most ever seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0

    def track(self, result: Any) -> Any:
        def call(*_args: Any) -> Any:
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
            time.sleep(0.02)
            with self.lock:
                self.running -= 1
            return result

        return call


class StubArgon2:
    """Stands for argon2-cffi's hasher: each call takes 20 ms in a worker thread."""

    def __init__(self, gauge: Gauge) -> None:
        self.verify = gauge.track(True)
        self.hash = gauge.track("$argon2id$stub")


@pytest.mark.parametrize("limit", [1, 3])
async def test_concurrent_hashes_never_exceed_the_limit(tmp_path: Path, limit: int) -> None:
    hasher = PasswordHasher(make_settings("sqlite://", tmp_path, password_hash_concurrency=limit))
    gauge = Gauge()
    hasher._hasher = StubArgon2(gauge)  # type: ignore[assignment]
    started = time.perf_counter()
    results = await asyncio.gather(
        *(hasher.verify("$argon2id$stub", "a password") for _ in range(12)),
        *(hasher.hash("a password") for _ in range(6)),
    )
    assert results == [True] * 12 + ["$argon2id$stub"] * 6  # every one ran, none was dropped
    assert gauge.most == limit
    # They queued: 18 calls of 20 ms, `limit` at a time.
    assert time.perf_counter() - started >= 18 / limit * 0.02 * 0.9


async def test_an_unknown_email_is_verified_against_one_decoy_per_cost(tmp_path: Path) -> None:
    """The decoy hash is made once per argon2id cost and process (`ironlog serve` makes it before
    forking its workers), not by every hasher: an unknown email still costs one real verify."""
    settings = make_settings("sqlite://", tmp_path, argon2_time_cost=2)
    first, second = PasswordHasher(settings), PasswordHasher(settings)

    await first.prepare()
    decoy = first.make_decoy()

    assert second.make_decoy() == decoy
    assert decoy.startswith("$argon2id$") and ",t=2," in decoy
    assert await second.verify(None, "any password") is False
    cheaper = PasswordHasher(make_settings("sqlite://", tmp_path, argon2_time_cost=1))
    assert cheaper.make_decoy() != decoy
