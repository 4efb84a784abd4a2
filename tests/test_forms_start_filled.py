"""Edit forms start from what the page shows: opened and saved unchanged, nothing displayed
is lost; the planning meeting's agenda box holds the default agenda (①②③)."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from planner.models import Milestone
from planner.models.db import db
from planner.services.demo import DEMO_PASSWORD
from planner.services.meetings import default_agenda
from tests.demo_copy import flask_demo
from tests.forms_on_pages import forms_on
from tests.test_every_form import OFFICIAL, page_urls, submit

#: pages whose form edits what the page (or its display page) shows
EDIT_PAGES = re.compile(r"(/meetings/\d+|/settings|/trainings/\d+/edit|/programme|/supplements/\d+/edit"
                        r"|/team/\d+/edit|/municipalities/\d+/edit|/subjects/\d+/draft|/trainings/\d+/participants)$")


def _own(form, url: str) -> bool:
    """A form that edits this page's content: it posts to the page (or its /settings)."""
    return urlsplit(form.action).path in (urlsplit(url).path, urlsplit(url).path + "/settings")


class _Text(HTMLParser):
    """The visible text of <main>, without flash messages."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth, self.skip, self.parts = 0, 0, []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "main":
            self.depth += 1
        if "flash" in classes.split() or tag in ("script", "style"):
            self.skip += 1 if tag not in ("input", "br") else 0

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if self.skip and tag in ("p", "div", "script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip and data.strip():
            self.parts.append(data.strip())


def _shown(client, url: str) -> tuple[str, list]:
    html = client.get(url).get_data(as_text=True)
    parser = _Text()
    parser.feed(html)
    own = [f for f in forms_on(url, html) if _own(f, url)]
    values = sorted((n, v) for f in own for n, v in f.values if n != "csrf_token" and "version" not in n
                    and n != "rendered")
    return " ".join(parser.parts), values


def _official(app):
    flask_demo(app)
    client = app.test_client()
    assert client.post("/login", data={"email": OFFICIAL, "password": DEMO_PASSWORD}).status_code == 302
    return client


def test_every_edit_form_saved_unchanged_loses_nothing_shown(app):
    client = _official(app)
    seen = {}
    for url in page_urls(app):
        if EDIT_PAGES.search(url):
            seen.setdefault(re.sub(r"\d+", "N", url), url)
    assert len(seen) >= 7, seen
    lost = []
    for url in seen.values():
        before_text, before_values = _shown(client, url)
        html = client.get(url).get_data(as_text=True)
        for form in [f for f in forms_on(url, html) if _own(f, url) and f.method == "post"]:
            answer = submit(client, form)
            assert answer.status_code < 400, (url, answer.status_code, answer.get_data(as_text=True)[:3000])
        after_text, after_values = _shown(client, url)
        if (before_text, before_values) != (after_text, after_values):
            lost.append((url, set(before_values) ^ set(after_values)))
    assert lost == []


def test_meeting_agenda_box_opens_with_the_default_agenda_and_keeps_it(app):
    client = _official(app)
    with app.app_context():
        meeting = db.session.scalar(db.select(Milestone).where(Milestone.kind == "meeting", Milestone.agenda.is_(None))
                                    .order_by(Milestone.id))
        url = f"/plans/{meeting.plan_id}/meetings/{meeting.id}"
    default = default_agenda()
    assert "①" in default and "②" in default and "③" in default
    html = client.get(url).get_data(as_text=True)
    [form] = [f for f in forms_on(url, html) if urlsplit(f.action).path == url]
    values = dict(form.values)
    assert values["agenda"].replace("\r\n", "\n").strip() == default  # the box holds what the page shows
    assert submit(client, form).status_code == 302  # saved unchanged: still the default
    with app.app_context():
        assert db.session.get(Milestone, meeting.id).agenda is None
    form.values = [(n, v + "\n④ 会場の下見の日程を決める" if n == "agenda" else v) for n, v in form.values]
    assert submit(client, form).status_code == 302
    page = client.get(url).get_data(as_text=True)
    for line in default.splitlines() + ["④ 会場の下見の日程を決める"]:
        assert line in page
