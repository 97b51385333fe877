"""Re-authentication before a money action (accounts.middleware.RecentLoginMiddleware)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .recent import mark_authenticated


class ReauthForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput, strip=False)


def reauth(request: HttpRequest) -> HttpResponse:
    """Ask for the password again; on success go back to ``next`` (same site only)."""
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=request.user.get_username(), password=form.cleaned_data["password"])
        if user is not None and user.pk == request.user.pk:
            mark_authenticated(request)
            return HttpResponseRedirect(next_url)
        if getattr(request, "axes_locked_out", False):
            return HttpResponse(status=429)  # AxesMiddleware turns this into the lockout page
        form.add_error("password", _("The password is not right."))
    return render(request, "accounts/reauth.html", {"form": form, "next": next_url})
