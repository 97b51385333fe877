"""The award certificate (荣誉证书): a PDF for a granted award, for whoever may see it."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from pypdf import PdfReader

from accounts.enums import Role
from accounts.services import user_create
from tests.conftest import close_notice
from workflow import steps

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_granted_award_has_its_certificate_and_a_decided_one_not_yet(
    award_round, nominator, staff, panel, reviewed_nominations
):
    (awarded, passed_over) = reviewed_nominations(2)
    steps.award_decide(nomination=awarded, actor=panel, level=2)
    steps.award_decide(nomination=passed_over, actor=panel, level=None)
    url = f"/awards/nominations/{awarded.pk}/certificate.pdf"
    # Decided but still on public notice: an objection could withdraw it, so no certificate.
    assert _client(nominator).get(url).status_code == 404

    notice = steps.notice_publish(call=award_round, actor=staff)
    close_notice(notice, staff)

    response = _client(nominator).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    page = PdfReader(BytesIO(response.content)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape, as certificates are printed
    text = _text(response.content)
    assert awarded.title in text
    assert "20,000.00" in text  # the level-2 bonus
    assert str(award_round.year) in text
    assert all(unit in text for unit in awarded.units)
    detail = _client(nominator).get(f"/awards/nominations/{awarded.pk}/")
    assert url in detail.content.decode()
    # Staff may print it too; no award, no certificate; another nominator does not see it at all.
    assert _client(staff).get(url).status_code == 200
    assert _client(nominator).get(f"/awards/nominations/{passed_over.pk}/certificate.pdf").status_code == 404
    stranger = user_create(username="other-nominator", password="x-Pingshen-2026", roles=[Role.NOMINATOR])
    assert _client(stranger).get(url).status_code == 404


def test_certificate_api_answers_409_until_the_notice_closed(
    award_round, nominator, staff, panel, reviewed_nominations, client_for
):
    (awarded, passed_over) = reviewed_nominations(2)
    steps.award_decide(nomination=awarded, actor=panel, level=1)
    steps.award_decide(nomination=passed_over, actor=panel, level=None)
    api = client_for(nominator)
    url = f"/api/nominations/{awarded.pk}/certificate.pdf"
    assert api.get(url).status_code == 409
    notice = steps.notice_publish(call=award_round, actor=staff)
    refused = api.get(url, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 409
    assert refused.json()["detail"]
    close_notice(notice, staff)
    response = api.get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert awarded.title in _text(response.content)
    assert api.get(f"/api/nominations/{passed_over.pk}/certificate.pdf").status_code == 409
    stranger = user_create(username="other-nominator", password="x-Pingshen-2026", roles=[Role.NOMINATOR])
    assert client_for(stranger).get(url).status_code == 404
