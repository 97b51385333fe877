"""Issues 15.9 and 15.10: every page, public ones included, carries the bureau's name, the
deployment's banner and a language switch; inner pages have breadcrumbs; required fields are
marked; viewflow's own pages are the bureau's, reached from the item's page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from workflow import steps

from .test_dashboards import client_for, draft, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(settings):
    settings.PINGSHEN_AUTHORITY_NAME = "永嘉县科学技术局"
    settings.PINGSHEN_BANNER_TEXT = "2016年度第一批项目申报截止于6月30日。"


def test_visitors_see_the_bureau_banner_and_a_language_switch_on_login(bureau):
    html = Client().get("/accounts/login/").content.decode()
    assert "永嘉县科学技术局" in html
    assert "2016年度第一批项目申报截止于6月30日。" in html
    assert 'action="/i18n/setlang/"' in html and 'name="language"' in html


def test_visitors_switch_language_on_a_public_notice(bureau, call, applicant, staff, panel, expert):
    from .test_dashboards import reviewed

    application = reviewed(call, applicant, staff, [expert])
    steps.decide(application=application, actor=panel, fund=True, approved_yuan="250000.00")
    notice = steps.notice_publish(call=call, actor=staff)
    visitor = Client()
    html = visitor.get(f"/notices/{notice.pk}/").content.decode()
    assert "永嘉县科学技术局" in html and 'action="/i18n/setlang/"' in html
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": f"/notices/{notice.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/notices/{notice.pk}/"
    assert 'lang="en"' in visitor.get(f"/notices/{notice.pk}/").content.decode()


def test_without_settings_the_generic_bureau_name_and_no_banner(client):
    html = Client(headers={"accept-language": "en"}).get("/accounts/login/").content.decode()
    assert "County Science &amp; Technology Bureau" in html
    assert 'class="banner"' not in html


def test_inner_pages_have_breadcrumbs_ending_in_their_title_and_home_has_none(call, applicant):
    application = draft(call, applicant, "一个很长的项目标题")
    client = client_for(applicant)
    html = client.get(f"/applications/{application.pk}/").content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert '<a href="/">Home</a>' in crumbs
    assert '<li aria-current="page">一个很长的项目标题</li>' in crumbs
    assert 'class="breadcrumbs"' not in client.get("/").content.decode()


def test_required_fields_are_marked(call, applicant):
    html = client_for(applicant).get(f"/calls/{call.pk}/apply/").content.decode()
    assert re.search(r'<label for="id_title" class="required">', html)
    assert not re.search(r'<label for="id_start_date" class="required">', html)  # optional


def test_viewflow_pages_are_for_the_bureau_and_linked_from_the_item(call, applicant, staff):
    application = submitted(call, applicant)
    html = client_for(staff).get(f"/applications/{application.pk}/").content.decode()
    link = re.search(r'href="(/processes/planproject/\d+/)"', html).group(1)
    assert client_for(staff).get(link).status_code == 200
    assert client_for(applicant).get(link).status_code == 404
    assert client_for(applicant).get("/processes/").status_code == 404
    assert "/processes/" not in client_for(applicant).get(f"/applications/{application.pk}/").content.decode()


def test_lists_number_their_rows_across_pages_and_end_in_actions(call, applicant, staff):
    for i in range(22):
        submitted(call, applicant, f"项目{i:02d}")
    client = client_for(staff)
    first = client.get("/").content.decode()
    assert '<th class="rownum">No.</th>' in first and '<th class="ops">Actions</th>' in first
    assert re.search(r'<td class="rownum" data-label="No.">1</td>', first)
    second = client.get("/?work-page=2").content.decode()
    assert re.search(r'<td class="rownum" data-label="No.">21</td>', second)


def test_an_item_page_for_staff_has_the_call_in_its_breadcrumbs(call, applicant, staff):
    application = submitted(call, applicant, "带路径的项目")
    html = client_for(staff).get(f"/applications/{application.pk}/").content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert f'<a href="/calls/{call.pk}/">{call.title}</a>' in crumbs
    assert "带路径的项目" in crumbs
