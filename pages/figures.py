"""The public figures of a year (公开数据, issue 19.4): no login. The programme report, the same
applications by field, the award rounds with their levels and the county's upward work
(projects funded above the county, commissioners; issue 20), as tables and charts — computed
by the very selectors the staff reports use (awards.selectors.year_figures), so they match."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from applications.selectors import field_name
from awards.selectors import year_figures
from core.money import to_wan
from core.params import parse_int
from funding.selectors import public_years

from .templatetags.pingshen import wan


@login_not_required
@require_GET
def public_figures(request: HttpRequest) -> HttpResponse:
    years = public_years()
    year = parse_int(request.GET.get("year"), digits=4) or (years[0] if years else timezone.localdate().year)
    figures = year_figures(year)
    programme_chart = [
        {"label": row.programme.name[:28], "value": row.approved_yuan, "display": wan(row.approved_yuan)}
        for row in figures.programmes.rows
    ]
    field_chart = [
        {"label": field_name(row.field)[:28], "value": row.approved_yuan, "display": wan(row.approved_yuan)}
        for row in figures.fields
        if row.funded
    ]
    award_chart = [
        {"label": _("Level %(level)s") % {"level": lv.level}, "value": lv.count, "display": str(lv.count)}
        for report in figures.award_rounds
        for lv in report.levels
    ]
    upper_chart = [
        {"label": f"{row.level_label} · {row.programme}"[:28], "value": row.total_yuan, "display": wan(row.total_yuan)}
        for row in figures.upper.programmes
    ]
    township_chart = [
        {"label": name[:28], "value": n, "display": str(n)} for name, n in figures.upper.commissioners.townships
    ]
    context = {
        "figures": figures,
        "years": years,
        "year": year,
        "programme_chart": programme_chart,
        "field_chart": field_chart,
        "award_chart": award_chart,
        "upper_chart": upper_chart,
        "township_chart": township_chart,
        "total_wan": to_wan(figures.programmes.approved_yuan),
        "fields": [(field_name(row.field), row) for row in figures.fields],
    }
    return render(request, "pages/figures.html", context)
