"""The deployment the README recommends, for real: Debian's nginx with deploy/nginx/ironlog.conf
(TLS with a throwaway self-signed certificate) in front of two `ironlog serve` processes on one
PostgreSQL database, started as deploy/systemd/ironlog@.service starts them.

Through https: the web app and the API, the Secure refresh cookie of a browser session, login
throttling per real client address (which a client cannot spoof), 20 MiB imports, /metrics
closed, plain HTTP redirected; and a rolling restart of both processes under a continuous load
of reads and keyed writes with no failed request.
"""

import asyncio
import secrets
import signal
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
import pytest

from ironlog.core.http import WEB_CSP
from tests.conftest import _admin_execute, _postgres_url, prepare_database
from tests.deploy import stack
from tests.deploy.conftest import NGINX
from tests.live_server import REQUEST_TIMEOUT, free_port

pytestmark = pytest.mark.nginx

PASSWORD = "correct horse battery"
COOKIE_MODE = {"X-IronLog-Session": "cookie"}


@dataclass
class Deployment:
    base_url: str
    cert: Path
    nginx: stack.Nginx
    servers: list[stack.IronLog]

    def client(self, source: str = "127.0.0.1") -> httpx.Client:
        return stack.client(self.base_url, self.cert, source=source)

    def logs(self) -> str:
        parts = [f"--- nginx\n{self.nginx.error_log()}"]
        parts += [f"--- ironlog :{server.port}\n{server.log()}" for server in self.servers]
        return "\n".join(parts)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("deploy")
    name = f"ironlog_deploy_{secrets.token_hex(6)}"
    asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    nginx: stack.Nginx | None = None
    servers: list[stack.IronLog] = []
    try:
        url = _postgres_url(name)
        prepare_database(url, folder / "migrate")  # as `ironlog db upgrade` before the units
        for label in ("a", "b"):
            data = folder / label
            servers.append(stack.IronLog(free_port(), data, stack.server_env(url, data / "data")))
        for server in servers:  # side by side, as systemd starts both units
            server.start()
        for server in servers:
            server.wait_ready()
        cert, key = stack.make_certificate(folder)
        https_port, http_port = free_port(), free_port()
        site = stack.render_nginx_conf(
            upstream_ports=(servers[0].port, servers[1].port),
            https_port=https_port,
            http_port=http_port,
            cert=cert,
            key=key,
        )
        nginx = stack.start_nginx(
            NGINX, folder / "nginx", site, https_port=https_port, http_port=http_port
        )
        yield Deployment(f"https://{stack.SERVER_NAME}:{https_port}", cert, nginx, servers)
    finally:
        if nginx is not None:
            nginx.stop()
        for server in servers:
            if server.process is not None:
                server.stop()
        asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def register(client: httpx.Client, email: str) -> str:
    """A new account through the proxy; its access token."""
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Lifter"}
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["tokens"]["access_token"]
    return token


def login(client: httpx.Client, email: str, password: str, **headers: str) -> httpx.Response:
    return client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
    )


def test_the_web_app_is_served_over_tls_with_its_headers(deployment: Deployment) -> None:
    with deployment.client() as client:
        page = client.get("/")
        assert page.status_code == 200, deployment.logs()
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == WEB_CSP
        # IronLog's own security headers pass through, once each (nginx adds none).
        assert page.headers.get_list("strict-transport-security") == [
            "max-age=31536000; includeSubDomains"
        ]
        assert client.get("/health").json()["status"] == "ok"


def test_the_api_registers_and_logs_a_workout(deployment: Deployment) -> None:
    with deployment.client() as client:
        email = f"deploy-{secrets.token_hex(4)}@example.com"
        token = register(client, email)
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        body = {"name": "Push day", "status": "finished", "duration_seconds": 3600}
        created = client.post("/api/v1/workouts", json=body, headers=headers)
        assert created.status_code == 201, created.text
        # The same key through the proxy again (whichever process answers): the first answer.
        replayed = client.post("/api/v1/workouts", json=body, headers=headers)
        assert replayed.status_code == 201
        assert replayed.headers["idempotent-replayed"] == "true"
        assert replayed.json()["id"] == created.json()["id"]
        listed = client.get("/api/v1/workouts", headers={"Authorization": f"Bearer {token}"})
        assert listed.json()["total"] == 1


def test_a_browser_session_gets_a_secure_refresh_cookie(deployment: Deployment) -> None:
    """X-Forwarded-Proto and Host reach IronLog from the trusted proxy: the cookie is Secure
    although the server name is a loopback host, and the browser's Origin (with its port) is
    recognised as IronLog's own."""
    origin = {"Origin": deployment.base_url}
    with deployment.client() as client:
        email = f"cookie-{secrets.token_hex(4)}@example.com"
        register(client, email)
        signed_in = login(client, email, PASSWORD, **COOKIE_MODE, **origin)
        assert signed_in.status_code == 200, signed_in.text
        assert signed_in.json()["refresh_token"] is None
        cookie = signed_in.headers["set-cookie"]
        attributes = [part.strip() for part in cookie.split(";")]
        assert attributes[0].startswith("ironlog_refresh=")
        assert "Secure" in attributes
        assert "HttpOnly" in attributes
        assert "SameSite=Strict" in attributes

        refreshed = client.post(
            "/api/v1/auth/refresh", headers={**COOKIE_MODE, **origin, "Cookie": attributes[0]}
        )
        assert refreshed.status_code == 200, refreshed.text
        assert "Secure" in refreshed.headers["set-cookie"]


def test_login_throttling_counts_the_address_nginx_saw(deployment: Deployment) -> None:
    """IRONLOG_LOGIN_IP_MAX_FAILURES is 3 here (per email: 1000). Clients connect to nginx from
    different loopback addresses; nginx forwards each one's own."""
    email = f"throttle-{secrets.token_hex(4)}@example.com"
    with (
        deployment.client(source="127.0.0.2") as attacker,
        deployment.client(source="127.0.0.3") as other,
    ):
        register(other, email)
        for _ in range(3):
            # Spoofed headers change nothing: nginx replaces X-Forwarded-For.
            spoofed = {"X-Forwarded-For": f"198.51.100.{secrets.randbelow(250)}"}
            assert login(attacker, email, "wrong password", **spoofed).status_code == 401
        throttled = login(attacker, email, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
        assert throttled.status_code == 429, throttled.text
        assert throttled.json()["code"] == "rate_limited"
        assert "retry-after" in throttled.headers

        # Another address signs in, even when it claims to be the throttled one.
        assert login(other, email, PASSWORD).status_code == 200
        claimed = login(other, email, PASSWORD, **{"X-Forwarded-For": "127.0.0.2"})
        assert claimed.status_code == 200, claimed.text

    # Straight to a process (not through nginx), X-Forwarded-For is not believed either.
    server = deployment.servers[0]
    transport = httpx.HTTPTransport(local_address="127.0.0.3")
    with httpx.Client(base_url=server.url, transport=transport, timeout=30) as direct:
        answer = login(direct, email, PASSWORD, **{"X-Forwarded-For": "127.0.0.2"})
        assert answer.status_code == 200, answer.text


def test_imports_of_20_mib_pass_the_proxy(deployment: Deployment) -> None:
    with deployment.client() as client:
        token = register(client, f"import-{secrets.token_hex(4)}@example.com")
        headers = {"Authorization": f"Bearer {token}"}
        content = b"not,an,export\n" + b"x" * (20 * 1024 * 1024 - 64 * 1024)
        answer = client.post(
            "/api/v1/imports", headers=headers, files={"file": ("big.csv", content, "text/csv")}
        )
        # IronLog read the whole upload and answered (nginx would have said 413 in HTML).
        assert answer.headers["content-type"] == "application/problem+json", answer.text[:300]
        assert answer.json()["code"] == "import_unrecognized"
        too_big = client.post(
            "/api/v1/imports",
            headers=headers,
            files={"file": ("big.csv", b"x" * (22 * 1024 * 1024), "text/csv")},
        )
        assert too_big.status_code == 413


def test_metrics_are_closed_and_plain_http_redirects(deployment: Deployment) -> None:
    with deployment.client() as client:
        assert client.get("/metrics").status_code == 403
        assert client.get("/metrics/").status_code == 403
    # Each process serves them itself to Prometheus (with the token).
    for server in deployment.servers:
        scrape = httpx.get(
            f"{server.url}/metrics", headers=stack.METRICS_AUTHORIZATION, timeout=REQUEST_TIMEOUT
        )
        assert scrape.status_code == 200
    plain = httpx.get(
        f"http://{stack.SERVER_NAME}:{deployment.nginx.http_port}/api/v1/auth/config?x=1",
        timeout=REQUEST_TIMEOUT,
    )
    assert plain.status_code == 301
    assert plain.headers["location"] == f"https://{stack.SERVER_NAME}/api/v1/auth/config?x=1"


class Traffic:
    """Clients sending requests back to back: a read, then a write with an Idempotency-Key."""

    def __init__(self, deployment: Deployment, token: str, clients: int = 2) -> None:
        self.deployment = deployment
        self.headers = {"Authorization": f"Bearer {token}"}
        self.outcomes: Counter[str] = Counter()
        self.failures: list[str] = []
        self.created: set[str] = set()
        self.replayed = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._loop, args=(n,)) for n in range(clients)]

    @property
    def answered(self) -> int:
        with self.lock:
            return sum(self.outcomes.values())

    def wait_for_more(self, count: int, what: str) -> None:
        """Until `count` more requests were answered (or failed)."""
        target = self.answered + count
        stack.wait_for(what, lambda: self.answered >= target)

    def __enter__(self) -> "Traffic":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _loop(self, number: int) -> None:
        with self.deployment.client() as client:
            sent = 0
            while not self.stopping.is_set():
                sent += 1
                try:
                    if sent % 2:
                        answer = client.get("/api/v1/workouts?size=1", headers=self.headers)
                        self._record("GET", answer, 200)
                    else:
                        key = {"Idempotency-Key": str(uuid.uuid4())}
                        body = {"name": f"Rolling {number}-{sent}"}
                        answer = client.post(
                            "/api/v1/workouts", json=body, headers={**self.headers, **key}
                        )
                        self._record("POST", answer, 201)
                        if answer.status_code == 201:
                            with self.lock:
                                self.created.add(answer.json()["id"])
                                self.replayed += answer.headers.get("idempotent-replayed") == "true"
                except Exception as error:  # a transport error, or an answer not as expected
                    with self.lock:
                        self.outcomes[type(error).__name__] += 1
                        self.failures.append(f"{type(error).__name__}: {error}")

    def _record(self, method: str, answer: httpx.Response, expected: int) -> None:
        with self.lock:
            self.outcomes[f"{method} {answer.status_code}"] += 1
            if answer.status_code != expected:
                self.failures.append(f"{method} {answer.status_code}: {answer.text[:200]}")


def test_a_rolling_restart_fails_no_request(deployment: Deployment) -> None:
    """Each process in turn: SIGTERM, wait until it exited, let requests flow to the other one,
    start it again, wait until it is ready and nginx sends it requests again; meanwhile clients
    send reads and keyed writes back to back.

    While the first one is down, its port drops every request unanswered for a while, as a
    stopping process does to a pooled connection nginx has just written on (a rare instant in a
    real restart): the reads and keyed writes still succeed on the other process, and a write
    without a key is not sent twice (502)."""
    with deployment.client() as client:
        token = register(client, f"rolling-{secrets.token_hex(4)}@example.com")
        other = {"Authorization": f"Bearer {register(client, f'unkeyed-{uuid.uuid4()}@ex.com')}"}
    with Traffic(deployment, token) as traffic:
        traffic.wait_for_more(20, "the first answers")
        for server in deployment.servers:
            # uvicorn finishes its requests, then exits by the signal (for systemd: a clean stop).
            assert server.stop() in {0, -signal.SIGTERM}, server.log()
            traffic.wait_for_more(20, f"answers while :{server.port} is down")
            if server is deployment.servers[0]:
                with stack.DroppingListener(server.port) as dropping:
                    stack.wait_for("nginx to try the dropping port", lambda: dropping.dropped)
                    traffic.wait_for_more(20, f"answers while :{server.port} drops requests")
                    assert unkeyed_write_is_not_resent(deployment, other)
            server.start()
            server.wait_ready()
            # Its counters started at zero: a write it answered came through the proxy.
            stack.wait_for(
                f"nginx to send requests to :{server.port} again",
                partial(server.requests_answered, "POST", "/api/v1/workouts"),
            )
        traffic.wait_for_more(20, "answers after the restarts")
    outcomes = traffic.outcomes
    assert not traffic.failures, f"{outcomes}\n{traffic.failures}\n{deployment.logs()}"
    assert set(outcomes) == {"GET 200", "POST 201"}, outcomes
    with deployment.client() as client:
        listed = client.get("/api/v1/workouts?size=1", headers=traffic.headers)
    # Every write happened once: nothing lost, nothing doubled by a retry.
    assert listed.json()["total"] == len(traffic.created) == outcomes["POST 201"] - traffic.replayed


def unkeyed_write_is_not_resent(deployment: Deployment, headers: dict[str, str]) -> bool:
    """POSTs without an Idempotency-Key until one meets the dropping port: 502, not retried."""
    with deployment.client() as client:
        for _ in range(50):
            answer = client.post("/api/v1/workouts", json={"name": "Unkeyed"}, headers=headers)
            if answer.status_code == 502:
                return True
            assert answer.status_code == 201, answer.text
    return False
