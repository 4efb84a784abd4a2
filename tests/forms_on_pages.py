"""Forms as a browser sees them: parse a page's HTML (stdlib html.parser) into the forms it
holds, with the values each control was rendered with, ready to be submitted back."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageForm:
    """One <form>: where it goes and the (name, value) pairs a browser would send."""

    action: str
    method: str
    enctype: str
    #: the page the form was found on
    page: str = ""
    values: list[tuple[str, str]] = field(default_factory=list)
    #: names of file inputs: a browser sends each as an empty part when nothing is chosen
    files: list[str] = field(default_factory=list)
    #: the default button (what Enter presses): its name and value are sent too
    button: tuple[str, str] | None = None

    @property
    def key(self) -> tuple:
        """Forms that send the same thing to the same place are one form."""
        return (self.method, self.action, tuple(sorted(n for n, _ in self.values)), tuple(self.files))


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self.form: PageForm | None = None
        self.select: dict | None = None
        self.textarea: list | None = None
        #: the forms by their id, for the buttons outside them (form="id")
        self.ids: dict[str | None, PageForm] = {}

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = PageForm(action=a.get("action") or self.page_url,
                                 method=(a.get("method") or "get").lower(),
                                 enctype=a.get("enctype") or "application/x-www-form-urlencoded",
                                 page=self.page_url)
            self.forms.append(self.form)
            self.ids[a.get("id")] = self.form
        if self.form is None and tag == "button" and a.get("form") in self.ids and "disabled" not in a:
            # a button outside its form (form="id"): the button sends its name and value there
            self.form = self.ids[a["form"]]
            if a.get("type", "submit").lower() == "submit":
                self._button(a)
            self.form = None
            return
        if self.form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file" and name:
                self.form.files.append(name)
            elif kind in ("checkbox", "radio"):
                if name and "checked" in a:
                    self.form.values.append((name, a.get("value", "on")))
            elif kind in ("submit", "image"):
                self._button(a)
            elif kind not in ("button", "reset") and name:
                self.form.values.append((name, a.get("value", "")))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._button(a)
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in a, "options": [], "selected": []}
        elif tag == "option" and self.select is not None:
            self.select["options"].append(a.get("value"))
            self._option_attrs = a
            if "selected" in a:
                self.select["selected"].append(a.get("value"))
            self._option_text = []
        elif tag == "textarea" and name:
            self.textarea = [name, []]

    def _button(self, a):
        if self.form.button is None:
            self.form.button = (a["name"], a.get("value", "")) if a.get("name") else ("", "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)
        if self.select is not None and self.select["options"] and self.select["options"][-1] is None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self.select is not None and self.select["options"][-1] is None:
            # an option without value= sends its text
            text = "".join(self._option_text).strip()
            self.select["options"][-1] = text
            if "selected" in self._option_attrs:
                self.select["selected"][-1] = text
        elif tag == "select" and self.select is not None:
            chosen = self.select["selected"] or ([] if self.select["multiple"] else self.select["options"][:1])
            self.form.values += [(self.select["name"], v) for v in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea[1])
            # the HTML parser drops one newline right after <textarea>; browsers do the same
            self.form.values.append((self.textarea[0], text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.form = None


#: a form element, from its start tag to its end tag
_FORM = re.compile(r"<form\b.*?</form\s*>", re.DOTALL | re.IGNORECASE)
#: a button's start tag that names its form (form="id"), wherever it stands
_OWNED_BUTTON = re.compile(r"<button\b[^>]*\sform=[^>]*>", re.IGNORECASE)


def forms_on(page_url: str, html: str) -> list[PageForm]:
    """Every form of the page, with the values it was rendered with."""
    parser = _FormParser(page_url)
    # the forms alone: what lies outside them (most of a page) changes no form, and parsing
    # it was the crawling tests' largest cost after the app's own
    parser.feed("".join(_FORM.findall(html)))
    # then the buttons that name their form, wherever they stand: a browser sends the
    # default one's name and value with that form
    parser.feed("".join(_OWNED_BUTTON.findall(html)))
    parser.close()
    return parser.forms
