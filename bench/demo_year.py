"""The demo year on SQLite: what the first ``make run`` spends in ``manage.py load_demo``.

    .venv/bin/python -m bench.demo_year                 # wall and CPU seconds, load average
    .venv/bin/python -m bench.demo_year --count         # statements, by their first words
    .venv/bin/python -m bench.demo_year --origins       # statements, by the project code that issued them
    .venv/bin/python -m bench.demo_year --profile /tmp/demo.prof

Migrates a fresh SQLite file once (``--empty``, kept between runs), then for each run copies
it and runs ``manage.py load_demo`` on the copy in a child process, as ``scripts/run.sh`` does
with no ``DATABASE_URL`` (only the file's path differs). Prints the wall time, the child's
user and system CPU seconds and the load average before and after. ``--count`` wraps every
statement with ``connection.execute_wrapper`` (which costs time of its own: the count run's
time is not the figure); ``--origins`` names, for each statement, the innermost function of
the project's own code on the stack (``workflow/demo/…`` is the loader's own, anything else
the steps, services and flows it calls); ``--profile`` runs the child under cProfile. The
files live in ``var/`` (``--empty``, ``--db``).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Run in the child with ``--count``: load the demo with every statement counted.
COUNTING = """
import collections, django, sys
django.setup()
from django.core.management import call_command
from django.db import connection
kinds = collections.Counter()
def count(execute, sql, params, many, context):
    kinds[" ".join(sql.split()[:2]).upper()[:40]] += 1
    return execute(sql, params, many, context)
with connection.execute_wrapper(count):
    call_command("load_demo", verbosity=0)
print(f"statements: {sum(kinds.values())}")
for kind, n in kinds.most_common(12):
    print(f"  {n:7d}  {kind}")
"""

#: Run in the child with ``--origins``: which of the project's functions issued each statement.
ORIGINS = """
import collections, django, os, sys
django.setup()
from django.core.management import call_command
from django.db import connection
root = os.getcwd() + os.sep
origins = collections.Counter()
def origin(execute, sql, params, many, context):
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(root) and os.sep + ".venv" + os.sep not in name:
            origins[f"{name[len(root):]}:{frame.f_code.co_name}"] += 1
            break
        frame = frame.f_back
    else:
        origins["(no project code)"] += 1
    return execute(sql, params, many, context)
with connection.execute_wrapper(origin):
    call_command("load_demo", verbosity=0)
own = {k: n for k, n in origins.items() if k.startswith(("workflow/demo/", "workflow/management/"))}
print(f"statements: {sum(origins.values())}, of which the loader's own code issued {sum(own.values())}")
for where, n in origins.most_common(25):
    print(f"  {n:7d}  {where}")
"""


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def child_env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    env.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--empty", type=Path, default=ROOT / "var" / "bench_demo_empty.sqlite3")
    parser.add_argument("--db", type=Path, default=ROOT / "var" / "bench_demo.sqlite3")
    parser.add_argument("--remigrate", action="store_true", help="migrate the empty file again")
    parser.add_argument("--count", action="store_true", help="count the statements (slower: not the figure)")
    parser.add_argument("--origins", action="store_true", help="count the statements by the code that issued them")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the load here")
    args = parser.parse_args()
    python = sys.executable
    if args.remigrate or not args.empty.exists():
        args.empty.unlink(missing_ok=True)
        subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
            [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=child_env(args.empty), check=True
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(args.empty, args.db)
    if args.count:
        command = [python, "-c", COUNTING]
    elif args.origins:
        command = [python, "-c", ORIGINS]
    elif args.profile:
        command = [python, "-m", "cProfile", "-o", str(args.profile), "manage.py", "load_demo"]
    else:
        command = [python, "manage.py", "load_demo"]
    before = loadavg()
    spent = resource.getrusage(resource.RUSAGE_CHILDREN)  # the migration's, if it ran
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=child_env(args.db), check=True)  # noqa: S603 - built above
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    user, system = usage.ru_utime - spent.ru_utime, usage.ru_stime - spent.ru_stime
    print(
        f"wall {wall:.1f} s, CPU {user + system:.1f} s (user {user:.1f}, system {system:.1f}); "
        f"load {before} -> {loadavg()}"
    )


if __name__ == "__main__":
    main()
