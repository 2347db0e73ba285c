"""The systemd unit beside the nginx config: it starts each process as tests/deploy/test_nginx.py
does (loopback, its port, nginx trusted), stops it gracefully, and systemd accepts it."""

import re
import shutil
import subprocess
from pathlib import Path

from tests.deploy import stack
from tests.live_server import ironlog_command


def test_the_systemd_unit_runs_what_the_test_runs(tmp_path: Path) -> None:
    unit = stack.SYSTEMD_UNIT.read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", unit, re.MULTILINE)
    assert exec_start is not None
    assert exec_start.group(1).split()[1:] == [
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "%i",
        "--workers",
        "1",
        "--forwarded-allow-ips",
        "127.0.0.1",
    ]
    assert "KillSignal=SIGTERM" in unit
    stop_seconds = re.search(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE)
    assert stop_seconds is not None and int(stop_seconds.group(1)) > 30  # graceful: 30 s
    conf = stack.NGINX_CONF.read_text()
    assert "server 127.0.0.1:8001 " in conf and "server 127.0.0.1:8002 " in conf
    assert "ironlog@8001" in unit and "ironlog@8002" in unit

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # the static checks above still ran
    executable = ironlog_command()[0]
    (tmp_path / "ironlog@.service").write_text(unit.replace("/opt/ironlog/bin/ironlog", executable))
    verified = subprocess.run(  # noqa: S603
        [analyze, "verify", str(tmp_path / "ironlog@8001.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert "ironlog@" not in verified.stderr, verified.stderr
