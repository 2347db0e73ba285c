"""Schema fuzzing: schemathesis against IronLog's own `/openapi.json`, on PostgreSQL.

    python -m drills.fuzz [--max-examples N] [--seed S] [-- extra schemathesis options]

Starts `ironlog serve` on a throwaway database of the shared PostgreSQL server, registers two
users (alice and bob) and runs schemathesis with every check, the stateful phase included, with
both users so that its `object_level_authorization` check runs. The exit status is schemathesis'
own: any failure fails CI. `DELETE /users/me` ends the fuzzing identity, so it is fuzzed last, in a
run of its own with an account made for it. See docs/drills.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from drills.common import register, serve, server_env, throwaway_database

HERE = Path(__file__).parent
CONFIG = HERE / "schemathesis.toml"
PASSWORD = "fuzz-drill-passphrase"  # not an OpenAPI example, so the fuzzer cannot guess it
DELETE_ME = "DELETE /api/v1/users/me"


def _login_entry(name: str, email: str) -> dict[str, object]:
    return {
        "name": name,
        "loginEndpointAuth": {
            "endpoint": "/api/v1/auth/login",
            "verb": "POST",
            "contentType": "application/json",
            "payloadRaw": json.dumps({"email": email, "password": PASSWORD}),
            "token": {
                "extractFrom": "body",
                "extractSelector": "/access_token",
                "sendIn": "header",
                "sendName": "Authorization",
                "sendTemplate": "Bearer {token}",
            },
        },
    }


def _schemathesis(
    base_url: str, wfc: Path, user: str, options: list[str], report_dir: Path
) -> subprocess.CompletedProcess[bytes]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        "all",
        "--continue-on-failure",
        "--workers",
        "1",  # more crash on Python 3.11 (a CPython bug)
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--request-timeout",
        "30",
        "--report",
        "junit",
        "--report-dir",
        str(report_dir),
        *options,
    ]
    print("+", " ".join(command), flush=True)
    return subprocess.run(
        command,
        env={**os.environ, "IRONLOG_FUZZ_WFC": str(wfc), "IRONLOG_FUZZ_USER": user},
        check=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--report-dir", type=Path, default=Path("drills-report"))
    parser.add_argument("extra", nargs="*", help="more schemathesis options, after --")
    args = parser.parse_args(argv)
    bounded = ["--max-examples", str(args.max_examples), "--seed", str(args.seed), *args.extra]

    with (
        tempfile.TemporaryDirectory(prefix="wt-drills-fuzz-") as folder,
        throwaway_database("ironlog_fuzz") as url,
    ):
        work = Path(folder)
        # The fuzzer fails thousands of logins: from one address, and with the emails it reads
        # back from the API (/users/me) it can lock out its own users, so that their token
        # fetches get 429. It registers far more accounts than one address may either (20 an
        # hour), and then would test nothing but the limit. Throttling has its own tests
        # (tests/auth/test_throttle.py).
        env = server_env(
            url,
            work / "data",
            login_ip_max_failures="1000000",
            login_max_failures="1000000",
            register_max_per_client="1000000",
        )
        with serve(env) as server:
            emails = {name: f"{name}@fuzz.example.com" for name in ("alice", "bob", "carol")}
            tokens = {
                name: register(server.base_url, email, PASSWORD) for name, email in emails.items()
            }
            peers = [_login_entry(name, emails[name]) for name in ("alice", "bob")]
            wfc = work / "users.json"
            wfc.write_text(json.dumps({"auth": peers}))
            # Carol holds a fixed access token: once her account is deleted it is a 401, as it
            # must be, instead of a login that cannot work any more.
            carol = {
                "name": "carol",
                "fixedHeaders": [
                    {"name": "Authorization", "value": f"Bearer {tokens['carol']['access_token']}"}
                ],
            }
            carol_wfc = work / "carol.json"
            carol_wfc.write_text(json.dumps({"auth": [*peers, carol]}))
            first = _schemathesis(
                server.base_url,
                wfc,
                "alice",
                [*bounded, "--exclude-name", DELETE_ME],
                args.report_dir / "main",
            )
            # DELETE /users/me on its own, as carol: hers is the account deleted.
            last = _schemathesis(
                server.base_url,
                carol_wfc,
                "carol",
                [*bounded, "--include-name", DELETE_ME],
                args.report_dir / "delete-me",
            )
            if server.process.poll() is not None:
                print(server.log(), file=sys.stderr)
                return 1
    return first.returncode or last.returncode


if __name__ == "__main__":
    sys.exit(main())
