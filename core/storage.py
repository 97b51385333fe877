"""Static files storage for production (hashed names, compressed, served by WhiteNoise)."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, tolerant of third-party CSS naming files it does not ship.

    viewflow's bundled ``roboto-fontface.css`` points at font files the package leaves out;
    the strict storage then fails ``collectstatic``. A missing reference keeps its plain name.
    """

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            return name
