"""REST endpoints of transparency (issue 19): a draw anyone can verify (reviews/proof.py) — the
draw with its commitment, its public snapshot and the check, staff only: the snapshot is fit to
publish (no expert's name or organisation is in it), and staff decide when to publish it — and an
item's decision dossier (funding/dossier.py)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import Role
from applications.models import Application
from funding.dossier import application_dossier, dossier_reader
from funding.feedback import application_feedback
from reviews.models import Draw
from reviews.selectors import draw_export, draw_verify

from .views import _get_or_404, _require

VERIFY = inline_serializer(
    "DrawVerify",
    {
        "matches": serializers.BooleanField(),
        "snapshot_matches": serializers.BooleanField(),
        "seed_matches": serializers.BooleanField(),
        "replay_matches": serializers.BooleanField(),
        "pool_sha256": serializers.CharField(),
        "seed_sha256": serializers.CharField(),
        "recorded_pool_sha256": serializers.CharField(),
        "recorded_seed_sha256": serializers.CharField(),
        "algorithm": serializers.CharField(),
        "differing_items": serializers.ListField(child=serializers.IntegerField()),
    },
)

DRAW = inline_serializer(
    "DrawDetail",
    {
        "id": serializers.IntegerField(),
        "call": serializers.IntegerField(),
        "kind": serializers.CharField(),
        "performed_at": serializers.DateTimeField(),
        "seed": serializers.CharField(),
        "pool_sha256": serializers.CharField(),
        "seed_sha256": serializers.CharField(),
        "algorithm": serializers.CharField(),
        "items": serializers.ListField(child=serializers.DictField()),
    },
)


def _draw(request: Request, pk: int) -> Draw:
    _require(request, Role.STAFF)
    return _get_or_404(Draw.objects.select_related("call"), pk)


class DrawDetailView(APIView):
    @extend_schema(responses=DRAW)
    def get(self, request: Request, pk: int) -> Response:
        draw = _draw(request, pk)
        items = draw.items.order_by("id").values("application_id", "needed", "chosen", "shortfall", "exclusions")
        return Response(
            {
                "id": draw.pk,
                "call": draw.call_id,
                "kind": draw.kind,
                "performed_at": draw.performed_at,
                "seed": draw.seed,
                "pool_sha256": draw.pool_sha256,
                "seed_sha256": draw.seed_sha256,
                "algorithm": draw.algorithm,
                "items": [
                    {
                        "item": i["application_id"],
                        "needed": i["needed"],
                        "chosen": i["chosen"],
                        "shortfall": i["shortfall"],
                        "exclusions": i["exclusions"],
                    }
                    for i in items
                ],
            }
        )


class DrawSnapshotView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        return Response(draw_export(_draw(request, pk)))


class DrawVerifyView(APIView):
    @extend_schema(responses=VERIFY)
    def get(self, request: Request, pk: int) -> Response:
        return Response(draw_verify(_draw(request, pk)))


class ApplicationDossierView(APIView):
    """The decision dossier (funding/dossier.py): staff see all of it; panel and finance without
    experts' names; the applicant a redacted one once the notice has closed (409 before)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        application = _get_or_404(Application.objects.all(), pk)
        reader = dossier_reader(request.user, application)
        return Response(application_dossier(application=application, reader=reader))


FEEDBACK = inline_serializer(
    "ApplicationFeedback",
    {
        "application": serializers.IntegerField(),
        "title": serializers.CharField(),
        "call": serializers.CharField(),
        "criteria": serializers.ListField(child=serializers.DictField()),
        "reviews": inline_serializer(
            "FeedbackReview",
            {
                "number": serializers.IntegerField(),
                "scores": serializers.DictField(child=serializers.CharField()),
                "comment": serializers.CharField(),
                "comment_withheld": serializers.BooleanField(),
            },
            many=True,
        ),
    },
)


class ApplicationFeedbackView(APIView):
    """The experts' feedback on the caller's own item (funding/feedback.py): reviewers by number,
    never by name; 409 until the public notice has closed, 404 for anyone but the applicant."""

    @extend_schema(responses=FEEDBACK)
    def get(self, request: Request, pk: int) -> Response:
        application = _get_or_404(Application.objects.select_related("call"), pk)
        return Response(application_feedback(application=application, user=request.user))
