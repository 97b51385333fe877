"""The production path, run for real: a clean virtualenv from requirements.txt alone
(``scripts/prod_venv.sh``; ``scripts/test.sh`` passes its path in ``PINGSHEN_PROD_VENV``),
production settings, a scratch PostgreSQL database, and as a province runs it (docs/operations.md):
two gunicorn web processes, two Celery workers and one beat on one PostgreSQL and one Redis.

The stack is started once per test session and every process is killed at the end. Nothing
here imports the project: the tests talk to it over HTTP and read the scratch database.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Deploy-test-" + secrets.token_hex(6)
HOST = "127.0.0.1"
#: A Redis database number of the deploy test's own (the broker queue must not be shared).
REDIS_DB = int(os.environ.get("PINGSHEN_DEPLOY_REDIS_DB", "14"))
WAIT = 30.0  # seconds, for any one process to come up


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# --- HTTP, as a client on the network would speak it ---------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Browser:
    """Keeps cookies by hand (the session may come from one web process and go to another)."""

    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    def request(self, method: str, url: str, *, data: Any = None, form: dict[str, str] | None = None) -> Answer:
        headers = {"Accept": "application/json" if "/api/" in url else "text/html", "Accept-Language": "en"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = url
        elif data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        opener = urllib.request.build_opener(NoRedirect)
        req = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 - http to loopback
        try:
            with opener.open(req, timeout=20) as response:
                answer = Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, exc.headers, exc.read())
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return answer

    def login_page(self, base: str, username: str) -> Answer:
        """Log in through the login page, as a person in a browser does."""
        self.request("GET", f"{base}/accounts/login/")
        return self.request(
            "POST",
            f"{base}/accounts/login/",
            form={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
                "next": "/",
            },
        )


# --- the processes --------------------------------------------------------------------------------


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None


def stop_all(processes: list[Process], timeout: float = 15) -> None:
    """SIGTERM every process group at once, then SIGKILL what is still there after ``timeout``."""
    for process in processes:
        if process.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait(timeout=10)


@dataclass
class Stack:
    venv: Path
    tmp: Path
    env: dict[str, str]
    database_url: str
    ids: dict[str, Any] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    webs: list[str] = field(default_factory=list)  # base URLs
    mail_dirs: list[Path] = field(default_factory=list)  # one per worker

    def run(self, *argv: str, extra: dict[str, str] | None = None, timeout: float = 120) -> str:
        """Run a command of the clean environment to the end; its output, or the test fails."""
        result = subprocess.run(  # noqa: S603 - our own commands
            [str(self.venv / "bin" / argv[0]), *argv[1:]],
            cwd=ROOT,
            env={**self.env, **(extra or {})},
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        output = (result.stdout + result.stderr).decode(errors="replace")
        if result.returncode != 0:
            pytest.fail(f"{' '.join(argv)} exited with {result.returncode}:\n{output[-6000:]}")
        return output

    def start(self, name: str, *argv: str, extra: dict[str, str] | None = None) -> Process:
        log = self.tmp / f"{name}.log"
        with open(log, "wb") as out:
            popen = subprocess.Popen(  # noqa: S603 - our own commands
                [str(self.venv / "bin" / argv[0]), *argv[1:]],
                cwd=ROOT,
                env={**self.env, **(extra or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killed whole at the end
            )
        process = Process(name, popen, log)
        self.processes[name] = process
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.text()[-3000:]}" for p in self.processes.values())

    def wait_until(self, what: str, check: Any, timeout: float = WAIT, state: Any = None) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes.values():
                if not process.alive():
                    pytest.fail(f"{process.name} exited with {process.popen.returncode}:\n{self.logs()}")
            value = check()
            if value:
                return value
            time.sleep(0.25)
        pytest.fail(f"{what}: not within {timeout} s\n{state() if state else ''}\n{self.logs()}")

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def outbox(self, ids: list[int]) -> list[tuple[Any, ...]]:
        return self.query(
            "SELECT id, kind, state, attempts, channels, last_error FROM notifications_notification WHERE id = ANY(%s)",
            ids,
        )

    def emails(self) -> list[Any]:
        """Every message the workers' file backends wrote (one file per connection)."""
        messages = []
        for directory in self.mail_dirs:
            for path in sorted(directory.iterdir()):
                for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                    if chunk.strip():
                        messages.append(message_from_bytes(chunk.strip(), policy=policy.default))
        return messages

    def token(self, base: str, username: str) -> Browser:
        browser = Browser()
        answer = browser.request("POST", f"{base}/api/auth/token/", data={"username": username, "password": PASSWORD})
        assert answer.status == 200, (answer.status, answer.body[:500])
        browser.token = answer.json()["token"]
        return browser


def _server_urls() -> tuple[str, str]:
    """The PostgreSQL server and Redis the test command uses; the scratch database and db are ours."""
    database = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingshen")
    if not database.startswith(("postgres://", "postgresql://")):
        pytest.skip("the deploy tests need PostgreSQL (DATABASE_URL)")
    redis_url = urllib.parse.urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15")
    return database, urllib.parse.urlunsplit(redis_url._replace(path=f"/{REDIS_DB}"))


def _with_database(url: str, name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    venv_path = os.environ.get("PINGSHEN_PROD_VENV")
    if not venv_path:
        pytest.skip("PINGSHEN_PROD_VENV is not set: run scripts/test.sh, which builds it with scripts/prod_venv.sh")
    venv = Path(venv_path)
    assert (venv / "bin" / "gunicorn").exists(), f"{venv} is not the production virtualenv"
    server_url, redis_url = _server_urls()
    broker = redis.Redis.from_url(redis_url, socket_connect_timeout=2)
    lock = "pingshen:deploy-test:lock"
    deadline = time.monotonic() + 120
    while not broker.set(lock, os.getpid(), nx=True, ex=300):  # one deploy test per Redis db at a time
        if time.monotonic() > deadline:
            pytest.fail(f"Redis db {REDIS_DB} is held by another deploy test run ({lock})")
        time.sleep(1)
    for key in broker.scan_iter():
        if key != lock.encode():
            broker.delete(key)  # a queue left by an interrupted run

    name = f"pingshen_deploy_{os.getpid()}"
    database_url = _with_database(server_url, name)
    with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

    tmp = tmp_path_factory.mktemp("deploy")
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(ROOT),  # for `celery -A tests.deploy.fast_beat`
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "workflow.settings",
        # Production settings (.env.example), as nginx terminating TLS in front would need them:
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PINGSHEN_VAR_DIR": str(tmp / "var"),
        "MEDIA_ROOT": str(tmp / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    # The reverse-proxy switches: plain HTTP on loopback here (docs/operations.md).
    plain_http = {"SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false"}
    stack = Stack(venv=venv, tmp=tmp, env=env, database_url=database_url)
    try:
        # The production checks (strict, as deployed behind TLS), migrate and collectstatic, at once.
        jobs = [
            stack.start("check-deploy", "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"),
            stack.start("migrate", "python", "manage.py", "migrate", "--noinput"),
            stack.start("collectstatic", "python", "manage.py", "collectstatic", "--noinput"),
        ]
        for job in jobs:
            try:
                job.popen.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{job.name} took over 120 s:\n{job.text()}")
            if job.popen.returncode != 0:
                pytest.fail(f"{job.name} exited with {job.popen.returncode}:\n{job.text()[-6000:]}")
            del stack.processes[job.name]
        stack.env.update(plain_http)
        stack.ids = json.loads(stack.run("python", "tests/deploy/seed.py", PASSWORD).strip().splitlines()[-1])

        for index in (1, 2):
            mail = tmp / f"mail-{index}"
            mail.mkdir()
            stack.mail_dirs.append(mail)
            stack.start(
                f"worker-{index}",
                "celery",
                "-A",
                "workflow",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                f"--hostname=worker{index}@%h",
                extra={"EMAIL_FILE_PATH": str(mail)},
            )
            port = free_port()
            stack.start(
                f"web-{index}",
                "gunicorn",
                "workflow.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            )
            stack.webs.append(f"http://{HOST}:{port}")
        stack.start(
            "beat",
            "celery",
            "-A",
            "tests.deploy.fast_beat",
            "beat",
            "--loglevel=INFO",
            f"--schedule={tmp / 'celerybeat-schedule'}",
        )
        for base in stack.webs:
            stack.wait_until(f"{base} answers", lambda base=base: _answers(f"{base}/accounts/login/"))
        for index in (1, 2):
            stack.wait_until(f"worker-{index} ready", lambda i=index: "ready." in stack.processes[f"worker-{i}"].text())
        yield stack
    finally:
        stop_all(list(stack.processes.values()))
        with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for key in broker.scan_iter():
            if key != lock.encode():
                broker.delete(key)
        broker.delete(lock)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - http to loopback
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False
