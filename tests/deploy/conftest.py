"""The documented deployment, run for real: Debian's nginx (deploy/nginx/ironlog.conf) in front
of two `ironlog serve` processes on one PostgreSQL database.

Without nginx these tests are skipped with the reason printed; `IRONLOG_TEST_REQUIRE_NGINX=1` or
`IRONLOG_TEST_REQUIRE_BROWSER=1` (CI sets both) makes that a failure instead.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_UNAVAILABLE

NGINX = os.environ.get("IRONLOG_TEST_NGINX", "/usr/sbin/nginx")
REQUIRE_NGINX = (
    os.environ.get("IRONLOG_TEST_REQUIRE_NGINX") == "1"
    or os.environ.get("IRONLOG_TEST_REQUIRE_BROWSER") == "1"
)


def _nginx_unavailable_reason() -> str | None:
    if not Path(NGINX).exists() and not shutil.which(NGINX):
        return f"nginx is not installed at {NGINX} (apt-get install nginx-light)"
    return None


NGINX_UNAVAILABLE = _nginx_unavailable_reason()


def pytest_report_header() -> list[str]:
    if NGINX_UNAVAILABLE:
        return [f"NOTICE: deployment tests skipped: {NGINX_UNAVAILABLE}."]
    return [f"nginx: {NGINX}"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "nginx: needs nginx and PostgreSQL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    nginx_items = [item for item in items if item.get_closest_marker("nginx")]
    if not nginx_items:
        return
    if NGINX_UNAVAILABLE and REQUIRE_NGINX:
        raise pytest.UsageError(
            f"{NGINX_UNAVAILABLE}; IRONLOG_TEST_REQUIRE_NGINX=1 (or _BROWSER=1) demands it."
        )
    reason = NGINX_UNAVAILABLE or POSTGRES_UNAVAILABLE
    if reason:
        for item in nginx_items:
            item.add_marker(pytest.mark.skip(reason=reason))
