from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from viewflow.urls import Site
from viewflow.workflow.flow import FlowAppViewset

from .flows import PlanProjectFlow

#: Viewflow's own inbox, queue, archive and flow chart, for staff and the panel.
processes = Site(
    title="Pingshen",
    viewsets=[
        FlowAppViewset(PlanProjectFlow, icon="assignment"),
    ],
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("api.urls")),
    path("processes/", processes.urls),
    path("", include("pages.urls")),
]
