"""Read a form out of a page and submit it back exactly as a browser would.

Every successful control as rendered: text-like inputs and hidden fields with their value, checked boxes and
radios only, every selected option of a select (the first option of a single select when none is marked),
textareas with their text (the newline right after the opening tag dropped, as the HTML parser does).
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

SKIPPED_TYPES = {"submit", "button", "reset", "image", "file"}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": [],
                          "attrs": a}
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in SKIPPED_TYPES:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((a["name"], a.get("value", "on")))
                return
            self._form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "select" and "name" in a and "disabled" not in a:
            self._select = {"name": a["name"], "multiple": "multiple" in a, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea" and "name" in a and "disabled" not in a:
            self._textarea = {"name": a["name"], "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and not self._select["multiple"] and options:
                chosen = [options[0]]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = self._textarea["text"]
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self._form["fields"].append((self._textarea["name"], text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_in(page: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(page)
    return parser.forms


def form_posting_to(page: str, action: str, page_url: str | None = None) -> list[tuple[str, str]]:
    """The fields a browser would send with the (POST) form whose action is ``action`` (a form without an
    action posts to the page's own URL, ``page_url``, by default ``action``)."""
    page_url = page_url or action
    found = [f for f in forms_in(page) if (html.unescape(f["action"]) or page_url) == action and f["method"] == "post"]
    assert found, f"no form posting to {action} in the page"
    assert len(found) == 1, f"{len(found)} forms post to {action}"
    return found[0]["fields"]


def as_multidict(fields: list[tuple[str, str]]):
    from werkzeug.datastructures import MultiDict

    return MultiDict(fields)
