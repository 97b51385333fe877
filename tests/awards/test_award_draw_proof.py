"""Issue 19.2 on award rounds: the public snapshot carries every organisation a nomination
avoids (issue 14.8), so the standalone script's replay of a multi-unit nomination agrees too."""

from __future__ import annotations

import pytest

from accounts.models import Organisation
from awards.services import nomination_create
from reviews.models import DrawItem
from reviews.selectors import draw_export
from tests.conftest import make_expert
from tests.reviews.test_draw_proof import _run_script
from workflow import steps

from .conftest import NOMINATION

pytestmark = pytest.mark.django_db


def test_a_nominations_draw_with_several_units_verifies_with_the_script(
    award_round, staff, nominator, review_expert, tmp_path
):
    item = nomination_create(
        actor=nominator,
        award_round=award_round,
        **{
            **NOMINATION,
            "units": ["永嘉县东蒙集团有限公司", "温州大学"],
            "persons": [{"name": "王", "organisation": "温州医科大学"}],
        },
    )
    steps.application_submit(application=item, actor=nominator)
    steps.formal_review(application=item, actor=staff, decision="accept")
    make_expert("from_second_unit", Organisation.objects.create(name="温州大学"))
    steps.call_draw(call=award_round, actor=staff, seed="award")
    draw = DrawItem.objects.get(application=item).draw
    export = draw_export(draw)
    assert len(export["snapshot"]["items"][0]["item"]["organisations"]) == 3
    assert _run_script(export, tmp_path).returncode == 0
