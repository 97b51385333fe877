"""What a browser would send back from a rendered form, read from the page's HTML.

A browser drops a value its input cannot read (``<input type="date" value="2027/03/01">``
submits an empty string), so this does the same: a form that renders a value in the
reader's language instead of the input's own format loses it here as it would in Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

#: The value formats HTML inputs accept (the WHATWG "valid … string"s); anything else is sent empty.
VALID = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"),
    "number": re.compile(r"^-?(\d+|\d*\.\d+)([eE][-+]?\d+)?$"),
}


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.pairs: list[tuple[str, str]] = []
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        # A form without an action posts to its own page, which is what ``action`` names then.
        if tag == "form" and a.get("action", self.action) == self.action and not self.found:
            self.inside = self.found = True
            return
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((name, a.get("value", "on")))
                return
            value = a.get("value", "")
            pattern = VALID.get(kind)
            if pattern is not None and value and not pattern.match(value):
                value = ""  # the browser cannot read it and shows (and sends) nothing
            self.pairs.append((name, value))
        elif tag == "select" and name:
            self._select = {"name": name, "multiple": "multiple" in a, "chosen": [], "first": None}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._option is not None and self._select is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"].strip()
            if self._select["first"] is None:
                self._select["first"] = value
            if self._option["selected"]:
                self._select["chosen"].append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            if not chosen and not self._select["multiple"] and self._select["first"] is not None:
                chosen = [self._select["first"]]  # a single select always sends its first option
            self.pairs.extend((self._select["name"], v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The HTML spec drops one newline right after <textarea>; Django writes one there.
            # A browser sends a textarea's line breaks as CRLF.
            text = self._textarea["text"]
            text = text[1:] if text.startswith("\n") else text
            self.pairs.append((self._textarea["name"], text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self._textarea = None


def form_data(html: str, action: str) -> dict[str, Any]:
    """The POST body a browser would send from the form posting to ``action``, unchanged."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found, f"no form posting to {action}"
    data: dict[str, Any] = {}
    for name, value in reader.pairs:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
