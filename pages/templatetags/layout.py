"""The page frame: breadcrumbs that end in the page's own title."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.utils.html import strip_tags

register = template.Library()


@register.simple_tag(takes_context=True)
def block_text(context: Any, name: str) -> str:
    """The text of the page's own ``{% block name %}`` (the most derived one), rendered here:
    the breadcrumb trail ends in the page's title without each template writing it twice."""
    blocks = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = blocks.get_block(name) if blocks is not None else None
    if block is None:
        return ""
    return strip_tags(block.nodelist.render(context)).strip()
