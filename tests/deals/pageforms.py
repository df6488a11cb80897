"""The forms a page shows, read from its HTML as a browser would submit them (for round trips and fuzzing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageForm:
    action: str
    method: str
    enctype: str
    fields: list[dict] = field(default_factory=list)  # {"name", "kind", "value", "options", "multiple"}

    def data(self) -> list[tuple[str, str]]:
        """The pairs a browser would send untouched: checked boxes, selected options, textareas, inputs."""
        pairs = []
        for f in self.fields:
            if f["kind"] in ("checkbox", "radio"):
                if f["checked"]:
                    pairs.append((f["name"], f["value"] or "on"))
            elif f["kind"] == "select":
                chosen = [v for v, selected in f["options"] if selected]
                if not chosen and f["options"] and not f["multiple"]:
                    chosen = [f["options"][0][0]]
                pairs.extend((f["name"], v) for v in chosen)
            elif f["kind"] in ("file", "submit", "button", "reset"):
                continue
            else:
                pairs.append((f["name"], f["value"]))
        return pairs

    def names(self) -> list[str]:
        seen = []
        for f in self.fields:
            if f["name"] not in seen and f["kind"] not in ("submit", "button", "reset"):
                seen.append(f["name"])
        return seen

    def kind_of(self, name: str) -> str:
        return next(f["kind"] for f in self.fields if f["name"] == name)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: dict | None = None
        self._option: list | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = PageForm(a.get("action") or "", (a.get("method") or "get").lower(),
                                  a.get("enctype") or "application/x-www-form-urlencoded")
            self.forms.append(self._form)
        elif self._form is None or "name" not in a and tag in ("input", "select", "textarea"):
            return
        elif tag == "input":
            self._form.fields.append({"name": a["name"], "kind": (a.get("type") or "text").lower(),
                                      "value": a.get("value") or "", "checked": "checked" in a})
        elif tag == "select":
            self._select = {"name": a["name"], "kind": "select", "options": [], "multiple": "multiple" in a}
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"name": a["name"], "kind": "textarea", "value": ""}
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data
        elif self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            self._select["options"] = [(o[0] if o[0] is not None else o[2].strip(), o[1])
                                       for o in self._select["options"]]
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            if self._textarea["value"].startswith("\n"):  # a browser drops the newline after <textarea>
                self._textarea["value"] = self._textarea["value"][1:]
            self._textarea = None


def forms_of(html: str) -> list[PageForm]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms
