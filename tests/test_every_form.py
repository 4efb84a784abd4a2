"""Every form with its own values: for the demo world, every page that has a form is fetched
for every entity, as the official and as a member (each must answer below 500), and forms on
them are submitted back exactly as they were rendered (CSRF on, as in production), each
re-rendered just before it is sent. No answer may be a 5xx.

Which forms are sent depends on the Hypothesis profile (tests/hypothesis_profiles.py):
- nightly (HYPOTHESIS_PROFILE=nightly): every distinct form (its method, action URL and
  field names), as found on every entity's pages;
- ci (the default): a sample of each kind of form (method, the action's URL rule, field
  names, file fields): its first and last instance, and the first of each other shape of
  rendered values (which fields repeat, which are empty, numbers or text); a kind in
  ONCE_IN_CI only its first instance of each shape. Every kind is still sent at least once.

The pages come from the app's URL map, with each URL parameter filled from the demo's rows,
so a new page or form is covered without touching this test; a new kind of parameter makes
it fail until `entity_rows` says where its values come from.
"""
from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from flask import Flask, current_app, url_for
from werkzeug.exceptions import HTTPException

from planner.models import (
    ApplicationLink,
    CarriedTodo,
    Invitation,
    Milestone,
    Municipality,
    OutboxMessage,
    Participant,
    Plan,
    Prefecture,
    SurveyLink,
    Training,
    User,
)
from planner.models.db import db
from planner.services.accounts import make_invitation
from planner.services.demo import DEMO_PASSWORD, DEMO_PREFECTURE
from planner.services.participants.links import token_of
from planner.services.survey import links as survey_links
from tests.demo_copy import flask_demo
from tests.forms_on_pages import PageForm, forms_on
from tests.hypothesis_profiles import PROFILE

OFFICIAL, MEMBER = "tanaka@midori.example.jp", "sato@aoba.example.jp"
#: downloads (.docx, .ics, .zip, .csv, .xlsx, .json) hold no forms
DOWNLOAD = re.compile(r"\.[a-z]+$")
#: forms that change or remove many rows (filling every open slot, taking subjects off the day,
#: giving a role back and with it its subjects' materials, deleting, issuing new links), then the
#: one that ends the session, go last and in this order, so that the other forms still find their
#: rows and their session; ordering only. Regular expressions searched in the action's path: the
#: deletions of single rows precede new and revoked links (an application page's entries go with
#: its link), then deleting a participant or a municipality, then a whole plan (its rows go with it)
LAST = ("/roles/accept-all", "/roles/suggest", "/timeline/generate", "/separate", "/release", "/delete",
        "/issue", "/revoke", r"^/(participants|municipalities)/\d+/delete$", r"^/plans/\d+/delete$", "/logout")
#: kinds (endpoints) that cost seconds per submission: in CI, one instance of each shape
#: (a plan's publish makes every changed training's documents and mail)
ONCE_IN_CI = {"bulk.publish_all"}
#: kinds no instance of which is left to send when their turn comes: the suggestions page has
#: a form only while open slots have suggestions, and the role forms sent before fill them
NEVER_LEFT = {"team.suggest"}


def entity_rows() -> list[dict[str, object]]:
    """Each row of the demo world as the URL parameters that name it (with its parents)."""
    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=DEMO_PREFECTURE))
    plans = db.session.scalars(db.select(Plan).filter_by(prefecture_id=prefecture.id)).all()
    rows: list[dict[str, object]] = []
    for plan in plans:
        rows.append({"plan_id": plan.id})
        for training in plan.trainings:
            rows.append({"plan_id": plan.id, "training_id": training.id})
            rows += [{"plan_id": plan.id, "training_id": training.id, "subject_id": s.id} for s in training.subjects]
            rows += [{"plan_id": plan.id, "training_id": training.id, "slot_id": s.id} for s in training.slots]
            rows += [{"plan_id": plan.id, "training_id": training.id, "question_id": q.id}
                     for q in training.survey_questions]
            rows += [{"event_id": e.id} for row in training.subjects for e in row.supplements]
            for material in (m for row in training.subjects for m in row.materials):
                rows.append({"material_id": material.id})
                rows += [{"material_id": material.id, "number": v.number} for v in material.versions]
        rows += [{"plan_id": plan.id, "member_id": m.id} for m in plan.members]
        rows += [{"plan_id": plan.id, "milestone_id": m.id}
                 for m in db.session.scalars(db.select(Milestone).filter_by(plan_id=plan.id))]
        rows += [{"plan_id": plan.id, "meeting_id": m.id}
                 for m in db.session.scalars(db.select(Milestone).filter_by(plan_id=plan.id, kind="meeting"))]
        rows += [{"plan_id": plan.id, "todo_id": t.id}
                 for t in db.session.scalars(db.select(CarriedTodo).filter_by(plan_id=plan.id))]
    rows += [{"user_id": u.id} for u in db.session.scalars(db.select(User).filter_by(prefecture_id=prefecture.id))]
    rows += [{"invitation_id": i.id}
             for i in db.session.scalars(db.select(Invitation).filter_by(prefecture_id=prefecture.id))]
    rows += [{"message_id": m.id}
             for m in db.session.scalars(db.select(OutboxMessage).filter_by(prefecture_id=prefecture.id))]
    rows.append({"token": make_invitation(current_app.config["SECRET_KEY"], prefecture.id,
                                          "new@midori.example.jp", "新人 さん（もりの村）")})
    # participants: municipalities, and each application link with its own entries
    rows += [{"municipality_id": m.id}
             for m in db.session.scalars(db.select(Municipality).filter_by(prefecture_id=prefecture.id))]
    for link in db.session.scalars(db.select(ApplicationLink).join(Municipality)
                                   .filter(Municipality.prefecture_id == prefecture.id)):
        token = token_of(link, current_app.config["SECRET_KEY"])
        rows.append({"token": token})
        rows += [{"token": token, "participant_id": p.id} for p in db.session.scalars(
            db.select(Participant).filter_by(training_id=link.training_id, municipality_id=link.municipality_id))]
    # the survey's links (participant, shared, group, follow-up), hashed with this app's key
    for link in db.session.scalars(db.select(SurveyLink).join(Training).join(Plan)
                                   .filter(Plan.prefecture_id == prefecture.id)):
        rows.append({"token": survey_links.token_of(survey_links.refresh(link, current_app.config["SECRET_KEY"]),
                                                    current_app.config["SECRET_KEY"])})
    db.session.commit()
    return rows


def page_urls(app: Flask) -> list[str]:
    """Every GET page of the URL map, once per entity that its parameters can name."""
    with app.app_context():
        rows = entity_rows()
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or DOWNLOAD.search(rule.rule):
                continue
            names = sorted(rule.arguments)
            combos = {tuple(row[n] for n in names) for row in rows if all(n in row for n in names)}
            assert combos or not names, f"no demo rows name {rule.rule}: add its parameters to entity_rows()"
            for combo in sorted(combos, key=str) if names else [()]:
                urls.append(url_for(rule.endpoint, **dict(zip(names, combo))))
    return urls


def collect_forms(client, urls: list[str]) -> tuple[list[PageForm], list[str]]:
    """Every distinct form on the pages the client may see; also the pages that failed."""
    forms: dict[tuple, PageForm] = {}
    failures = []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"GET {url} -> {response.status_code}")
        if response.mimetype != "text/html":
            continue
        for form in forms_on(url, response.get_data(as_text=True)):
            forms.setdefault(form.key, form)
    def order(form: PageForm) -> int:
        path = urlsplit(form.action).path
        return max((i + 1 for i, word in enumerate(LAST) if re.search(word, path)), default=0)

    return sorted(forms.values(), key=order), failures


def kind(app: Flask, form: PageForm) -> tuple:
    """What makes forms the same kind: method, the action's URL rule, field names, file fields."""
    path = urlsplit(form.action).path
    try:
        endpoint = app.url_map.bind("localhost").match(path, method=form.method.upper())[0]
    except HTTPException:  # no rule answers it (404, 405, a redirect): the path is its own kind
        endpoint = path
    return (form.method, endpoint, tuple(sorted({n for n, _ in form.values})), tuple(form.files))


def shape(form: PageForm) -> tuple:
    """The shape of a form's rendered values: each field once per value, and whether the
    value is empty, a number or text; and the default button."""
    def of(value: str) -> str:
        return "empty" if value == "" else "number" if re.fullmatch(r"-?\d+", value) else "text"
    return tuple(sorted((n, of(v)) for n, v in form.values)), form.button


def to_send(app: Flask, forms: list[PageForm]) -> list[PageForm]:
    """The forms to submit, in the given order: all of them in the nightly profile; in CI,
    of each kind the first instance, the first of each other shape, and the last."""
    if PROFILE == "nightly":
        return forms
    chosen: set[int] = set()
    by_kind: dict[tuple, list[int]] = {}
    for i, form in enumerate(forms):
        by_kind.setdefault(kind(app, form), []).append(i)
    for (_, endpoint, *_), indexes in by_kind.items():
        shapes = {}
        for i in indexes:
            shapes.setdefault(shape(forms[i]), i)
        chosen |= set(shapes.values())
        if endpoint not in ONCE_IN_CI:
            chosen.add(indexes[-1])
    return [form for i, form in enumerate(forms) if i in chosen]


def rendered_now(client, form: PageForm, rendered: dict[str, list[PageForm]]) -> PageForm | None:
    """The same form as its page renders it now (earlier submissions may have changed it).
    `rendered` holds the pages fetched since the last submission that may change data (a GET
    changes nothing): such a page renders the same now and is not fetched again."""
    if form.page not in rendered:
        response = client.get(form.page)
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        rendered[form.page] = forms_on(form.page, html)
    return next((f for f in rendered[form.page] if f.key == form.key), None)


def submit(client, form: PageForm):
    """Send the form as a browser would, with the values it was rendered with."""
    values = list(form.values) + ([form.button] if form.button and form.button[0] else [])
    path = urlsplit(form.action).path
    if form.method == "get":
        return client.get(path, query_string=values)
    data: dict[str, object] = {}
    for name, value in values:
        data.setdefault(name, []).append(value)
    for name in form.files:
        data[name] = (io.BytesIO(b""), "")
    return client.post(path, data=data, content_type=form.enctype if form.files else None)


@pytest.mark.parametrize("email", [OFFICIAL, MEMBER])
def test_every_form_submitted_with_its_own_values_answers_below_500(csrf_app, email):
    # the whole demo, as `flask --app app demo` makes it (published versions, meetings, mail)
    flask_demo(csrf_app)
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    login_form = forms_on("/login", login_page)[0]
    fields = dict(login_form.values) | {"email": email, "password": DEMO_PASSWORD}
    assert client.post("/login", data=fields).status_code == 302

    forms, failures = collect_forms(client, page_urls(csrf_app))
    sending = to_send(csrf_app, forms)
    answers = {}
    gone = []
    sent_kinds = set()
    rendered: dict[str, list[PageForm]] = {}
    for form in sending:
        form, found = rendered_now(client, form, rendered), form
        if form is None:  # its entity was removed by an earlier form (a delete, a timetable change)
            gone.append(found.action)
            continue
        status = submit(client, form).status_code
        if form.method != "get":
            rendered.clear()
        sent_kinds.add(kind(csrf_app, form))
        answers[f"{form.method.upper()} {urlsplit(form.action).path}"] = status
        if status >= 500:
            failures.append(f"{form.method.upper()} {form.action} {form.values} -> {status}")

    assert failures == []
    assert len(gone) < len(sending) / 10, gone  # nearly every form was sent, not skipped
    # every kind of form (by its action's URL rule) was sent at least once
    unsent = {kind(csrf_app, f)[1] for f in forms} - {k[1] for k in sent_kinds} - NEVER_LEFT
    assert unsent == set(), f"an earlier form removed every form of {unsent}: order them in LAST"
    # the crawl reached the forms that matter: a sanity check, not a list to keep in step
    actions = " ".join(answers)
    for expected in (["/team/", "/edit", "/timeline/", "/logout"] if email == OFFICIAL
                     else ["/claim", "/logout"]):
        assert expected in actions
    assert [a for a, s in answers.items() if s == 400] == []  # CSRF tokens were sent back
