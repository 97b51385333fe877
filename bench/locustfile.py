"""Locust users for ``bench.pages_load``: each logs in once through the login form, then asks
for its role's main page again and again, waiting ``BENCH_THINK`` seconds between pages.

Every page must come from the run's own gunicorn (it carries ``PINGSHEN_BENCH_TOKEN`` and the
bench database's name); one that does not is a failure that stops the report."""

from __future__ import annotations

import os
import re

from gevent.event import Event
from locust import HttpUser, between, constant, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-pass-2026")
CALL = os.environ.get("BENCH_CALL", "1")
#: Seconds a user waits between two pages, "low,high" (people read pages); "0" for none.
THINK = [float(x) for x in os.environ.get("BENCH_THINK", "0").split(",")]
TOKEN = os.environ.get("PINGSHEN_BENCH_TOKEN", "")
#: The same words as ``bench.pages_load.FOREIGN`` (this file runs in locust's own venv).
FOREIGN = "not the benchmark's own server"
#: How many users log in: pages are asked for (and measured) once every one of them has.
USERS = int(os.environ.get("BENCH_USERS", "0"))
#: Twenty logins at once are twenty PBKDF2 hashes (≈ 20 s of CPU on the loaded 2 cores): a page
#: asked for meanwhile waits behind them, and its time said more about the logins than the page.
_logged_in: list[str] = []
_everyone_in = Event()


class RoleUser(HttpUser):
    abstract = True
    wait_time = between(THINK[0], THINK[-1]) if THINK[-1] > 0 else constant(0)
    username = ""

    def page(self, path: str, name: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as answer:
            if answer.headers.get("X-Pingshen-Bench") != TOKEN:
                answer.failure(FOREIGN)
            elif not answer.ok:
                answer.failure(f"HTTP {answer.status_code}")

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login form")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
        )
        _logged_in.append(self.username)
        if len(_logged_in) >= USERS:
            # The last login: start the figures afresh (the pages only), then let everyone go.
            self.environment.runner.stats.reset_all()
            _everyone_in.set()
        _everyone_in.wait(timeout=120)


class Applicant(RoleUser):
    username = "bench-applicant"

    @task
    def home(self) -> None:
        self.page("/", "applicant home")


class Expert(RoleUser):
    username = os.environ.get("BENCH_EXPERT", "bench-expert-0")

    @task
    def queue(self) -> None:
        self.page("/reviews/", "expert queue")


class Staff(RoleUser):
    username = "bench-staff"

    @task
    def overview(self) -> None:
        self.page(f"/calls/{CALL}/", "staff call overview")


class Panel(RoleUser):
    username = "bench-panel"

    @task
    def ranking(self) -> None:
        self.page(f"/calls/{CALL}/ranking/", "ranking page")


class PanelList(RoleUser):
    """The panel's suggested funding list (issue 18), only with ``pages_load --suggestions``:
    a fifth user class takes a share of the users, so the other pages' figures are comparable
    with earlier runs only without it."""

    abstract = os.environ.get("BENCH_SUGGESTIONS") != "1"
    username = "bench-panel"

    @task
    def suggestions(self) -> None:
        self.page(f"/calls/{CALL}/suggestions/", "suggested list")
