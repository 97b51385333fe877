"""REST endpoints about one's own account and organisation (API.md, People): log-out,
passwords, and the memberships that let a newcomer act for an organisation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout, update_session_auth_hash
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as account_services
from accounts.forms import PasswordResetForm
from accounts.models import ApiToken, Membership
from accounts.rules import can_view_membership
from accounts.selectors import memberships_of, organisation_visible_to
from core.errors import NotVisible

from .serializers import DetailSerializer
from .views import _me, _valid


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.display_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "username",
            "name",
            "email",
            "organisation",
            "organisation_name",
            "status",
            "created_at",
            "decided_at",
        ]


class MembershipDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


def _caller_token(request: Request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class LogoutView(APIView):
    """The caller's API token ends now (a later request with it: 401); a browser session
    calling this is signed out too."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        account_services.user_logout_api(user=_me(request), token=_caller_token(request))
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """``{old_password, new_password}`` → 200; a wrong old password or a weak new one: 400
    naming the field. Every API token of the caller ends: ask for a new one."""

    @extend_schema(request=PasswordChangeSerializer, responses={200: DetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(PasswordChangeSerializer, request)
        user = account_services.password_change(
            user=_me(request), old_password=data["old_password"], new_password=data["new_password"]
        )
        update_session_auth_hash(request._request, user)  # a browser calling this stays signed in
        return Response({"detail": _("Your password was changed.")})


class PasswordResetView(APIView):
    """``{email}`` → 200 with the same answer whether or not an account has the address (no
    way to learn who is registered); an account that has it gets the e-mailed link."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(request=PasswordResetSerializer, responses={200: DetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(PasswordResetSerializer, request)
        form = PasswordResetForm({"email": data["email"]})
        if form.is_valid():
            form.save(request=request._request, use_https=request.is_secure())
        return Response(
            {"detail": _("If an account has this address, we have sent it a link to choose a new password.")}
        )


class OrganisationMembersView(APIView):
    """Every membership of the organisation, pending ones first (staff, or its members)."""

    @extend_schema(responses=MembershipSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        organisation = organisation_visible_to(request.user, pk)
        if organisation is None:
            raise NotVisible()
        rows = memberships_of(organisation).order_by("-status", "-created_at")
        return Response(MembershipSerializer(rows, many=True).data)


class _MembershipDecisionView(APIView):
    decide = staticmethod(account_services.membership_approve)

    @extend_schema(request=MembershipDecisionSerializer, responses=MembershipSerializer)
    def post(self, request: Request, pk: int) -> Response:
        membership = Membership.objects.filter(pk=pk).first()
        if membership is None or not can_view_membership(request.user, membership):
            raise NotVisible()
        data = _valid(MembershipDecisionSerializer, request)
        membership = self.decide(membership=membership, actor=request.user, comment=data["comment"])
        return Response(MembershipSerializer(membership).data)


class MembershipApproveView(_MembershipDecisionView):
    """A member of the organisation or staff let the newcomer act for it: 200 ``{status:
    "approved"}``; the newcomer themself 403; decided already 409."""

    decide = staticmethod(account_services.membership_approve)


class MembershipRejectView(_MembershipDecisionView):
    decide = staticmethod(account_services.membership_reject)
