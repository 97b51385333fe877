"""The suggested funding list's page at county scale (issue 18): the table a page at a time, the
what-if typed on other pages kept, the funding line one link away, and the statements the page
sends the same for 1 item and for many."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from .test_suggestions import FIVE

pytestmark = pytest.mark.django_db

#: Statements for the page as the panel asks for it with the ranking cached: session, user, roles,
#: the call, the ranking's version, the applications with their decisions, the unread count.
#: Measured 7, however many items.
SUGGESTIONS_PAGE_CEILING = 7


@pytest.fixture
def two_a_page(monkeypatch):
    monkeypatch.setattr("pages.funding.PAGE_ROWS", 2)


def cut_inputs(html: str) -> list[str]:
    return re.findall(r'<input type="text" inputmode="decimal" name="(cut_\d+)"', html)


def test_suggestions_page_shows_one_page_of_rows_and_the_figures_of_the_whole_list(
    call, items, panel, page_client, two_a_page
):
    a, b, c, d, e = items(*FIVE)
    response = page_client(panel).get(f"/calls/{call.pk}/suggestions/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert cut_inputs(html) == [f"cut_{a.pk}", f"cut_{b.pk}"]
    assert "Items 1–2 of 5" in html
    # The figures, the fingerprint and the apply are the whole list's.
    suggestion = response.context["suggestion"]
    assert len(suggestion.rows) == 5
    assert f'name="expected" value="{suggestion.fingerprint}"' in html
    third = page_client(panel).get(f"/calls/{call.pk}/suggestions/", {"page": "3"}).content.decode()
    assert cut_inputs(third) == [f"cut_{e.pk}"]


def test_suggestions_page_links_to_the_page_of_the_funding_line(call, items, panel, page_client, two_a_page):
    _a, _b, c, _d, _e = items(*FIVE)  # A and B fit the 1,000,000; C does not: the line is on page 2
    client = page_client(panel)
    html = client.get(f"/calls/{call.pk}/suggestions/", {"budget": "1000000"}).content.decode()
    assert 'href="?budget=1000000&amp;page=2#line"' in html
    second = client.get(f"/calls/{call.pk}/suggestions/", {"page": "2"}).content.decode()
    assert re.search(r'<tr class="outcome-over_budget" id="line">\s*<td[^>]*>3</td>', second)
    assert f'name="cut_{c.pk}"' in second


def test_suggestions_page_keeps_what_was_typed_for_rows_on_other_pages(call, items, panel, page_client, two_a_page):
    a, _b, _c, d, e = items(*FIVE)
    query = {f"cut_{d.pk}": "150000.00", f"cut_{e.pk}": "0", "page": "1"}
    response = page_client(panel).get(f"/calls/{call.pk}/suggestions/", query)
    html = response.content.decode()
    # Not shown here, but sent again with "Recalculate" (and kept by the apply form).
    assert html.count(f'<input type="hidden" name="cut_{d.pk}" value="150000.00">') == 2
    assert html.count(f'<input type="hidden" name="cut_{e.pk}" value="0">') == 2
    assert f'<input type="hidden" name="cut_{a.pk}"' not in html.split('action="/calls/')[1].split("</form>")[0]
    assert '<input type="hidden" name="page" value="1">' in html
    rows = {row.item: row for row in response.context["suggestion"].rows}
    assert rows[d.pk].cut_yuan == 150000 and rows[e.pk].outcome == "excluded"
    # The pager's links keep the what-if too.
    assert f"cut_{d.pk}=150000.00" in html.split('class="pager"')[1]


def test_suggestions_xlsx_has_every_row_whatever_the_page_shows(call, items, panel, page_client, two_a_page):
    items(*FIVE)
    response = page_client(panel).get(f"/calls/{call.pk}/suggestions.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    sheet = load_workbook(BytesIO(response.content)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, max_row=6, values_only=True)]
    assert titles == ["A", "B", "C", "D", "E"]
    assert sheet.cell(row=1, column=1).font.bold


def test_suggestions_page_sends_as_many_statements_for_one_item_as_for_many(call, items, panel, page_client):
    items(("A", "90", "300000.00"))
    client = page_client(panel)
    url = f"/calls/{call.pk}/suggestions/"
    client.get(url)  # the ranking cached, as after its first reader
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    items(*[(f"X{i}", str(50 + i % 40), "10000.00") for i in range(120)])  # two pages of rows
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"page": "2"})
    assert response.status_code == 200 and len(response.context["rows"]) == 21
    assert len(many) == len(one) <= SUGGESTIONS_PAGE_CEILING, [q["sql"][:120] for q in many.captured_queries]
