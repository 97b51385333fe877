"""Log in and out, passwords (change; reset by e-mail; the first one from an invitation)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import forms, views
from .tokens import invitation_token_generator

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reauth/", views.reauth, name="reauth"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            form_class=forms.PasswordChangeForm, template_name="accounts/password_change.html"
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=forms.PasswordResetForm, template_name="accounts/password_reset.html"
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=forms.SetPasswordForm, template_name="accounts/password_set.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_set_done.html"),
        name="password_reset_complete",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=forms.InvitationSetPasswordForm,
            token_generator=invitation_token_generator,
            template_name="accounts/password_set.html",
            extra_context={"invitation": True},
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="invitation",
    ),
]
