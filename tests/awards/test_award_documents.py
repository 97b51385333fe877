"""An award round may require documents too: a nomination without them is not submitted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.services import attachment_add
from awards.services import award_round_create, nomination_create
from core.errors import StateConflict
from tests.conftest import CRITERIA
from workflow import steps

from .conftest import LEVELS, NOMINATION

pytestmark = pytest.mark.django_db


def round_with(staff, documents):
    now = timezone.now()
    return award_round_create(
        actor=staff,
        title="2016年度科学技术进步奖",
        year=2016,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        levels=LEVELS,
        criteria=CRITERIA,
        required_documents=documents,
    )


def test_a_nomination_is_submitted_only_with_the_round_required_documents(staff, nominator):
    award_round = round_with(staff, [{"code": "evaluation", "name": "科技成果评价报告"}])
    nomination = nomination_create(actor=nominator, award_round=award_round, **NOMINATION)
    with pytest.raises(StateConflict) as exc:
        steps.application_submit(application=nomination, actor=nominator)
    assert "科技成果评价报告" in exc.value.message
    upload = SimpleUploadedFile("评价报告.pdf", b"%PDF-1.4 x")
    attachment_add(application=nomination, actor=nominator, upload=upload, kind="evaluation")
    assert steps.application_submit(application=nomination, actor=nominator).status == "submitted"


def test_a_nomination_field_must_be_in_the_vocabulary(staff, nominator):
    award_round = round_with(staff, [])
    with pytest.raises(ValidationError) as exc:
        nomination_create(actor=nominator, award_round=award_round, **{**NOMINATION, "field": "水质"})
    assert "水质" in exc.value.message_dict["field"][0]


def test_a_round_refuses_bad_required_documents(staff):
    with pytest.raises(ValidationError) as exc:
        round_with(staff, [{"code": "a"}])
    assert "required_documents" in exc.value.message_dict
