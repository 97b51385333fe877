"""Types the apps share at run time.

``StrOrPromise`` is what a user-facing text may be: a plain string or a lazy translation.
django-stubs has the same alias, but it is a development dependency, and production installs
``requirements.txt`` alone (issue 13), so the alias is spelled here with Django's own ``Promise``.
"""

from __future__ import annotations

from django.utils.functional import Promise

StrOrPromise = str | Promise
