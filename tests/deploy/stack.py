"""The deployment under test: a throwaway certificate, the repository's nginx config rendered with
test ports and paths, nginx run as the current user, and `ironlog serve` processes that can be
stopped and started again on their port."""

import contextlib
import datetime
import ipaddress
import os
import pwd
import signal
import socket
import ssl
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.live_server import REQUEST_TIMEOUT, ironlog_command

REPO = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO / "deploy" / "nginx" / "ironlog.conf"
SYSTEMD_UNIT = REPO / "deploy" / "systemd" / "ironlog@.service"
SERVER_NAME = "localhost"
SECRET = "deploy-test-secret-" + "s" * 32
METRICS_TOKEN = "deploy-test-metrics-" + "m" * 16
METRICS_AUTHORIZATION = {"Authorization": f"Bearer {METRICS_TOKEN}"}
START_SECONDS = 120.0
STOP_SECONDS = 40.0  # the processes finish their requests for up to 30 s


def wait_for(condition: str, check: Callable[[], object], seconds: float = 60.0) -> None:
    """Poll `check` until it is true; fail naming `condition` when it never is."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        time.sleep(0.05)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for `localhost` (and 127.0.0.1), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(SERVER_NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def render_nginx_conf(
    *,
    upstream_ports: tuple[int, int],
    https_port: int,
    http_port: int,
    cert: Path,
    key: Path,
) -> str:
    """deploy/nginx/ironlog.conf with only its ports, certificate paths and server name replaced
    (and the listening address narrowed to the loopback)."""
    text = NGINX_CONF.read_text()
    replacements = [
        ("/etc/letsencrypt/live/ironlog.example.com/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/ironlog.example.com/privkey.pem", str(key)),
        ("ironlog.example.com", SERVER_NAME),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstream_ports[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{upstream_ports[1]} "),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
    ]
    for old, new in replacements:
        # The documented file changed shape: the test must follow it, not test something else.
        assert old in text, f"{NGINX_CONF} no longer contains {old!r}"
        text = text.replace(old, new)
    return text


@dataclass
class Nginx:
    prefix: Path
    process: subprocess.Popen[bytes]
    https_port: int
    http_port: int

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:  # pragma: no cover - a hung nginx
                self.process.kill()
                self.process.wait()


def start_nginx(nginx: str, prefix: Path, site: str, *, https_port: int, http_port: int) -> Nginx:
    """nginx with the rendered site in its `http` block, everything under `prefix`, as the
    current user (as root, its workers run as root too: the temp folders are root's)."""
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    (prefix / "ironlog.conf").write_text(site)
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"    access_log {prefix / 'access.log'};\n"
        f"    client_body_temp_path {prefix / 'body'};\n"
        f"    proxy_temp_path {prefix / 'proxy'};\n"
        f"    fastcgi_temp_path {prefix / 'fastcgi'};\n"
        f"    uwsgi_temp_path {prefix / 'uwsgi'};\n"
        f"    scgi_temp_path {prefix / 'scgi'};\n"
        f"    include {prefix / 'ironlog.conf'};\n"
        "}\n"
    )
    command = [
        nginx,
        "-p",
        str(prefix),
        "-c",
        str(prefix / "nginx.conf"),
        "-g",
        f"daemon off; pid {prefix / 'nginx.pid'}; error_log {prefix / 'error.log'} info;",
    ]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)  # noqa: S603
    assert checked.returncode == 0, f"nginx -t refused the config:\n{checked.stderr}"
    output = (prefix / "nginx.out").open("wb")
    process = subprocess.Popen(command, stdout=output, stderr=output)  # noqa: S603
    output.close()
    server = Nginx(prefix, process, https_port, http_port)

    def listening() -> bool:
        assert process.poll() is None, f"nginx exited:\n{server.error_log()}"
        return _accepts(https_port) and _accepts(http_port)

    wait_for("nginx to listen", listening, START_SECONDS)
    return server


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class IronLog:
    """One `ironlog serve` process on a port of its own, as the systemd unit runs it."""

    port: int
    folder: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        arguments = [*ironlog_command(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        arguments += ["--workers", "1", "--forwarded-allow-ips", "127.0.0.1"]
        with (self.folder / "server.log").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the project's own command
                arguments, cwd=self.folder, env=self.env, stdout=log, stderr=log
            )

    def wait_ready(self) -> None:
        def ready() -> bool:
            assert self.process is not None
            assert self.process.poll() is None, f"ironlog serve exited:\n{self.log()}"
            try:
                return httpx.get(f"{self.url}/ready", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(f"ironlog on port {self.port} to be ready", ready, START_SECONDS)

    def stop(self) -> int:
        """SIGTERM (as systemd stops it) and wait until it exited; its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung server
            self.process.kill()
            self.process.wait()
            raise

    def requests_answered(self, method: str, route: str) -> float:
        """This process's count of `method route` requests, from its own /metrics."""
        text = httpx.get(
            f"{self.url}/metrics",
            headers=METRICS_AUTHORIZATION,
            timeout=REQUEST_TIMEOUT,
        ).text
        total = 0.0
        for line in text.splitlines():
            if line.startswith("ironlog_http_requests_total{") and (
                f'method="{method}"' in line and f'route="{route}"' in line
            ):
                total += float(line.rsplit(" ", 1)[1])
        return total


def server_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """Production mode, as deployed; cheap argon2id; a low per-address login limit to test."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("IRONLOG_") and name != "PROMETHEUS_MULTIPROC_DIR"
    }
    env.update(
        {
            "IRONLOG_ENV": "production",
            "IRONLOG_DATABASE_URL": database_url,
            "IRONLOG_DATA_DIR": str(data_dir),
            "IRONLOG_SECRET_KEY": SECRET,
            "IRONLOG_METRICS_TOKEN": METRICS_TOKEN,
            "IRONLOG_LOG_LEVEL": "WARNING",
            "IRONLOG_ARGON2_TIME_COST": "1",
            "IRONLOG_ARGON2_MEMORY_COST_KIB": "1024",
            "IRONLOG_ARGON2_PARALLELISM": "1",
            "IRONLOG_REGISTER_MAX_PER_CLIENT": "100000",
            "IRONLOG_LOGIN_MAX_FAILURES": "1000",
            "IRONLOG_LOGIN_IP_MAX_FAILURES": "3",
        }
    )
    return env


def tls_context(cert: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cert))


def client(base_url: str, cert: Path, *, source: str = "127.0.0.1") -> httpx.Client:
    """A client of the proxy trusting only the throwaway certificate, connecting from `source`
    (any 127.0.0.0/8 address: nginx sees it as the client's address)."""
    transport = httpx.HTTPTransport(verify=tls_context(cert), local_address=source)
    return httpx.Client(base_url=base_url, transport=transport, timeout=30)


class DroppingListener:
    """On a stopped process's port: reads each request and resets the connection, unanswered,
    as a process does to a pooled connection it closes while stopping."""

    def __init__(self, port: int) -> None:
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", port))
        self.socket.listen(64)
        self.socket.settimeout(0.2)
        self.dropped = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve)

    def __enter__(self) -> "DroppingListener":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.thread.join()
        self.socket.close()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(5)
                with contextlib.suppress(OSError):
                    connection.recv(65536)  # the request head, at least its start
                connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )  # close with a reset
            self.dropped += 1
