from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("applications/<int:pk>/", views.application_detail, name="application-detail"),
]
