import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
application = get_wsgi_application()

# What a worker loads once (settings, every app's models and views through the URLconf) lives as
# long as the process: moved out of the collector's sight, a full collection no longer walks
# those hundreds of thousands of objects each time a page's own objects set one off (issue 18:
# a third of the suggested list's time at 10,000 items was collection).
get_resolver().url_patterns  # noqa: B018 (imports every view module now, not on the first request)
gc.freeze()
