"""Run by the clean production virtualenv: import every module of the project's apps.

Fails (exit 1, with the traceback) on a runtime import of a package requirements.txt does not
install, and if a dev-only package is installed at all.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
django.setup()

from django.apps import apps  # noqa: E402 - after django.setup()

modules = ["workflow.celery", "workflow.wsgi"]
for config in apps.get_app_configs():
    if Path(config.path).parent == ROOT:  # ours, not an installed package
        modules += [info.name for info in pkgutil.walk_packages([config.path], config.name + ".")]
for name in modules:
    importlib.import_module(name)
for dev in ("pytest", "django_stubs_ext", "mypy", "factory"):
    try:
        importlib.import_module(dev)
    except ImportError:
        continue
    raise SystemExit(f"{dev} is installed in the production environment")
print(f"imported {len(modules)} modules")
