"""``bench.pages_load`` measures only the gunicorn it started (issue 18).

A port held by another server is refused (or a free one picked instead), an answer without this
run's token or from another database stops the run, and the benchmark's own server, started with
``PINGSHEN_BENCH_TOKEN``, names both on every answer."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from bench.pages_load import (
    DATABASE_HEADER,
    TOKEN_HEADER,
    NotOurServer,
    check_identity,
    choose_port,
    verify_server,
)


@contextmanager
def dummy_server(headers: dict[str, str] | None = None) -> Iterator[int]:
    """Another HTTP server on a port of its own, answering 200 with ``headers``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            self.send_response(200)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(b"someone else")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_port_taken_by_another_server_is_refused_when_asked_for():
    with dummy_server() as port:
        with pytest.raises(NotOurServer, match=f"port {port} is taken"):
            choose_port(port)


def test_without_a_port_the_benchmark_picks_a_free_one_not_the_taken_one():
    with dummy_server() as port:
        chosen = choose_port(0)
        assert chosen != port
        assert choose_port(chosen) == chosen  # free: it can be bound


def test_another_server_answering_on_the_port_is_refused_not_measured():
    with dummy_server() as port:
        with pytest.raises(NotOurServer, match="token"):
            verify_server(f"http://127.0.0.1:{port}/", "this-runs-token", "pingshen_bench_pages", seconds=5)


def test_a_server_of_an_earlier_run_is_refused():
    with dummy_server({TOKEN_HEADER: "an-earlier-run", DATABASE_HEADER: "pingshen_bench_pages"}) as port:
        with pytest.raises(NotOurServer, match="token"):
            verify_server(f"http://127.0.0.1:{port}/", "this-runs-token", "pingshen_bench_pages", seconds=5)


def test_a_server_with_the_token_on_another_database_is_refused():
    with dummy_server({TOKEN_HEADER: "this-runs-token", DATABASE_HEADER: "pingshen"}) as port:
        with pytest.raises(NotOurServer, match="database 'pingshen'"):
            verify_server(f"http://127.0.0.1:{port}/", "this-runs-token", "pingshen_bench_pages", seconds=5)


def test_the_benchmarks_own_server_passes():
    with dummy_server({TOKEN_HEADER: "this-runs-token", DATABASE_HEADER: "pingshen_bench_pages"}) as port:
        verify_server(f"http://127.0.0.1:{port}/", "this-runs-token", "pingshen_bench_pages", seconds=5)


@pytest.mark.django_db
def test_the_app_names_token_and_database_only_under_the_benchmark(client, settings):
    plain = client.get("/accounts/login/")
    assert TOKEN_HEADER not in plain.headers
    assert DATABASE_HEADER not in plain.headers

    settings.BENCH_TOKEN = "this-runs-token"
    settings.MIDDLEWARE = ["core.middleware.BenchIdentityMiddleware", *settings.MIDDLEWARE]
    answer = Client().get("/accounts/login/")  # a new client builds its middleware anew
    check_identity(answer.headers, "this-runs-token", connection.settings_dict["NAME"])
    with pytest.raises(NotOurServer):
        check_identity(answer.headers, "this-runs-token", "pingshen_bench_pages")
