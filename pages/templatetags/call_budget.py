"""``{% budget_panel call %}``: the call's live budget panel, the same HTML that the fragment
URL (``pages.funding.call_budget_fragment``) returns when ``static/js/refresh.js`` reloads it."""

from __future__ import annotations

from typing import Any

from django import template

from applications.models import Call

register = template.Library()


@register.inclusion_tag("pages/funding/_budget_panel.html")
def budget_panel(call: Call) -> dict[str, Any]:
    from pages.funding import budget_panel_context

    return budget_panel_context(call)
