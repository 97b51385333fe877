"""Screenshots of each role's home page, in zh-hans and English, and of the after-grant and
upward pages in zh-hans, for the README and docs.

    .venv/bin/python scripts/screenshots.py            # all roles, both languages
    .venv/bin/python scripts/screenshots.py --keep-db  # reuse var/screens.sqlite3 (faster)
    .venv/bin/python scripts/screenshots.py --only job,projects  # just these pages (see PAGE_TARGETS)
    .venv/bin/python scripts/screenshots.py --database-url postgres://postgres@127.0.0.1:5432/pingshen_screens

Builds a scratch SQLite database (var/screens.sqlite3), migrates it, runs ``load_demo``,
starts the development server on a free port and logs in as each demo account through the
real login form (password ``demo-pass-2026``, README "Demo logins"). The language is the
``django_language`` cookie, as the language switch in the page header sets it. Pictures go
to docs/screenshots/<role>-<lang>.png at 1280 px wide (the whole page, up to MAX_HEIGHT),
plus <role>-<lang>-phone.png at 390 px for the applicant. Then the pages added after the home
pages (``PAGES``: the project list and page, the task contract form, the mid-term report and
check, the change requests, overdue mid-term reports, upper calls, commissioners, and a
background job's page after an expert import), each as the
demo person who uses it, on a demo record that shows it filled (``PAGE_TARGETS`` picks them),
in zh-hans, to docs/screenshots/page-<name>-zh-hans.png.

Needs Chromium, chromedriver and a CJK font: ``scripts/browser_deps.sh --fonts``.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
DB = ROOT / "var" / "screens.sqlite3"
PASSWORD = "demo-pass-2026"  # noqa: S105 (the demo accounts' published password, README)
WIDTH, PHONE = 1280, (390, 844)
MAX_HEIGHT = 2400  # a long home page is cut here: the README shows what waits first
LANGUAGES = ("zh-hans", "en")
#: role → the demo login whose home page shows that role's work
ROLES = {
    "applicant": "demo_applicant",
    "expert": "demo_expert1",
    "staff": "demo_staff",
    "panel": "demo_panel",
    "finance": "demo_finance_officer",
}
PHONE_ROLES = ("applicant",)


DATABASE_URL = f"sqlite:///{DB}"


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = DATABASE_URL
    env.pop("REDIS_URL", None)  # the embedded default: tasks run in-process, no broker
    env.setdefault("DEBUG", "true")
    env.setdefault("PINGSHEN_AUTHORITY_NAME", "永嘉县科学技术局")  # the demo year's bureau, as make run shows it
    return env


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment(), check=True)  # noqa: S603 (our manage.py)


#: the demo expert with the most reviews waiting (the demo's pending reviews move between experts
#: as load_demo grows), so the expert's screenshot shows work rather than an empty list
BUSIEST_EXPERT = """
from django.db.models import Count, Q
from reviews.models import Expert
expert = (
    Expert.objects.filter(user__username__startswith="demo_expert")
    .annotate(n=Count("assignments", filter=Q(assignments__status__in=["invited", "accepted"])))
    .order_by("-n", "user__username")
    .first()
)
print(expert.user.username if expert else "demo_expert1")
"""


def busiest_expert() -> str:
    result = subprocess.run(  # noqa: S603 (our manage.py, fixed arguments)
        [sys.executable, "manage.py", "shell", "-c", BUSIEST_EXPERT],
        cwd=ROOT,
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip().splitlines()[-1]


#: Which demo record and person each page is shot on: prints one line per page,
#: ``name username path`` (a page without a fitting record is left out, with a note).
PAGE_TARGETS = """
from aftergrant.enums import ContractStatus, MidtermStatus
from aftergrant.models import ChangeRequest, ContractVersion, MidtermReport
from applications.enums import ApplicationStatus
from applications.models import Application
from django.db.models import Count
from pages.selectors import open_step_names
from upward.models import Commissioner, UpperCall

def out(name, user, path):
    print("PAGE", name, user, path)

out("projects", "demo_staff", "/projects/")
busy = (
    Application.objects.filter(contract_versions__status=ContractStatus.IN_FORCE)
    .annotate(m=Count("midterm_reports", distinct=True), n=Count("change_requests", distinct=True))
    .order_by("-m", "-n", "pk")
    .first()
)
if busy is not None:
    out("project", busy.applicant.username, f"/projects/{busy.pk}/")
for app in Application.objects.filter(status=ApplicationStatus.FUNDED).select_related("applicant").order_by("pk"):
    if "contract" in open_step_names(app):
        out("contract-form", app.applicant.username, f"/applications/{app.pk}/contract/")
        break
owed = (
    MidtermReport.objects.filter(status=MidtermStatus.OPEN, application__status=ApplicationStatus.CONTRACTED)
    .select_related("application__applicant")
    .order_by("due_on", "pk")
    .first()
)
if owed is not None:
    out("midterm-report", owed.application.applicant.username, f"/applications/{owed.application_id}/midterm/")
waiting = MidtermReport.objects.filter(status=MidtermStatus.SUBMITTED).order_by("submitted_at", "pk").first()
if waiting is not None:
    out("midterm-check", "demo_staff", f"/applications/{waiting.application_id}/midterm/check/")
out("changes", "demo_staff", "/changes/?status=all")
change = ChangeRequest.objects.filter(status="submitted").order_by("pk").first()
if change is not None:
    out("change", "demo_staff", f"/changes/{change.pk}/")
out("midterm-overdue", "demo_staff", "/midterm/overdue/")
out("upper-calls", "demo_staff", "/upper-calls/")
upper = UpperCall.objects.annotate(n=Count("call__applications")).order_by("-n", "pk").first()
if upper is not None:
    out("upper-call", "demo_staff", f"/upper-calls/{upper.pk}/")
out("commissioners", "demo_staff", "/commissioners/")
commissioner = Commissioner.objects.annotate(n=Count("assessments")).order_by("-n", "pk").first()
if commissioner is not None:
    out("commissioner", "demo_staff", f"/commissioners/{commissioner.pk}/")

# A background job's page, done: staff import a small sheet of experts (one row refused), as
# the import page would accept it (tasks run in-process here, so it is done when this returns).
from accounts.models import User
from core.xlsx import table_bytes
from reviews.imports import COLUMNS, TEMPLATE_HEADINGS, experts_import_start

sheet = table_bytes(
    "experts",
    [COLUMNS[key][0] for key, _label in TEMPLATE_HEADINGS],
    [
        ["陈立新", "chenlixin", "chenlixin@example.org", "温州大学", "", "先进制造", "教授", "温州", 8, "是", ""],
        ["周晓梅", "zhouxiaomei", "zhouxiaomei@example.org", "温州医科大学", "", "医药卫生", "研究员", "温州", 6, "是", ""],
        ["吴建国", "wujianguo", "不是邮箱", "浙江工贸职业技术学院", "", "先进制造", "高级工程师", "温州", 5, "是", ""],
    ],
)
job = experts_import_start(upload=sheet, actor=User.objects.get(username="demo_staff"))
out("job", "demo_staff", f"/jobs/{job.pk}/")
"""
PAGES_LANGUAGE = "zh-hans"


def page_targets() -> list[tuple[str, str, str]]:
    result = subprocess.run(  # noqa: S603 (our manage.py, fixed arguments)
        [sys.executable, "manage.py", "shell", "-c", PAGE_TARGETS],
        cwd=ROOT,
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    rows = [line.split()[1:] for line in result.stdout.splitlines() if line.startswith("PAGE ")]
    return [(name, user, path) for name, user, path in rows]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 (our manage.py, fixed arguments)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2):  # noqa: S310 (our own server)
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the development server did not start") from None
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the development server did not answer within 60 s")


def chrome(chromium: str, chromedriver: str) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={WIDTH},900",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def log_in(driver: WebDriver, base: str, username: str, language: str) -> None:
    driver.get(base + "/accounts/login/")
    driver.delete_all_cookies()
    driver.add_cookie({"name": "django_language", "value": language, "path": "/"})
    driver.get(base + "/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, "form[action$='/logout/']")))


def shoot(driver: WebDriver, path: Path, width: int, min_height: int = 900, *, mobile: bool = False) -> None:
    """The whole page (up to MAX_HEIGHT) at a viewport ``width`` CSS pixels wide. Chromium's
    window has a frame and, headless, a minimum width of 500 px, so the viewport is set
    through the DevTools protocol rather than by resizing the window."""

    def viewport(height: int) -> None:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    viewport(min_height)
    driver.refresh()  # lay the page out for this viewport from the start
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    viewport(max(min_height, min(height, MAX_HEIGHT)))
    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.2)  # let the resize paint
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    print(f"  {path.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-db", action="store_true", help="reuse var/screens.sqlite3 if it exists")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    parser.add_argument(
        "--database-url",
        help="a scratch PostgreSQL database instead of SQLite (created if missing, emptied unless --keep-db)",
    )
    parser.add_argument(
        "--only",
        help="comma-separated page names (e.g. job,projects) to shoot only those, not the role home pages",
    )
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None

    global DATABASE_URL
    if args.database_url:
        DATABASE_URL = args.database_url
        subprocess.run([sys.executable, "scripts/ensure_db.py"], cwd=ROOT, env=environment(), check=True)
    else:
        DB.parent.mkdir(exist_ok=True)
        if DB.exists() and not args.keep_db:
            DB.unlink()
    print("Migrating and loading the demo year into", DATABASE_URL)
    manage("migrate", "--no-input", "-v", "0")
    if args.database_url and not args.keep_db:
        manage("flush", "--no-input", "-v", "0")
    if not (args.keep_db and only):
        manage("load_demo", "-v", "0")

    ROLES["expert"] = busiest_expert()
    pages = page_targets()
    missing = {"project", "contract-form", "midterm-report", "midterm-check", "upper-call", "commissioner"} - {
        name for name, _user, _path in pages
    }
    if missing:
        print("The demo year has no record for:", ", ".join(sorted(missing)), file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = serve(port)
    base = f"http://127.0.0.1:{port}"
    try:
        driver = chrome(args.chromium, args.chromedriver)
        try:
            for language in LANGUAGES if only is None else ():
                for role, username in ROLES.items():
                    log_in(driver, base, username, language)
                    shoot(driver, OUT / f"{role}-{language}.png", WIDTH)
                    if role in PHONE_ROLES:
                        shoot(driver, OUT / f"{role}-{language}-phone.png", PHONE[0], PHONE[1], mobile=True)
            for name, username, path in pages:
                if only is not None and name not in only:
                    continue
                log_in(driver, base, username, PAGES_LANGUAGE)
                driver.get(base + path)
                if not driver.current_url.startswith(base + path.split("?")[0]):
                    print(f"  {name}: {path} sent {username} to {driver.current_url}; not shot", file=sys.stderr)
                    continue
                shoot(driver, OUT / f"page-{name}-{PAGES_LANGUAGE}.png", WIDTH)
        finally:
            driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
