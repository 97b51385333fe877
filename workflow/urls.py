from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset

from .flows import AwardNominationFlow, PlanProjectFlow, UpperProjectFlow

#: Viewflow's own inbox, queue, archive and flow chart, for staff and the panel.
processes = Site(
    title="Pingshen",
    viewsets=[
        FlowAppViewset(PlanProjectFlow, icon="assignment"),
        FlowAppViewset(AwardNominationFlow, icon="emoji_events"),
        FlowAppViewset(UpperProjectFlow, icon="north"),
    ],
)

urlpatterns = [
    path("admin/", admin.site.urls),
    # Anyone may switch language, the public notice's readers included.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("api/", include("api.urls")),
    path("processes/", processes.urls),
    path("", include("pages.urls")),
]
