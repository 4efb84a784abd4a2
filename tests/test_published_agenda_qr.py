"""The 研修次第 kept with a published version carries the shared survey QR code and its URL
when the training has a survey (issue 23: what goes out is what was published), whether the
training is published from its own page or with every changed training of the plan. The
stored .docx is read back and its picture decoded."""
from __future__ import annotations

import io

import pytest
from docx import Document
from PIL import Image

from planner.models import Training
from planner.models.db import db
from planner.services.plans.editions import curriculum_for
from planner.services.plans.versions import latest, published_document
from planner.services.survey import links, questions
from tests.factories import OITA_OFFICIAL, login, make_oita


@pytest.fixture
def world(app):
    with app.app_context():
        world = make_oita()
        questions.ensure_questions(db.session.get(Training, world.trainings["common"]))  # common has a survey
        return world


def _agenda(app, training_id: int) -> tuple[bytes | None, str]:
    """The stored 研修次第 of the training's latest version, and the shared survey URL."""
    with app.app_context():
        training = db.session.get(Training, training_id)
        data = published_document(training, f"研修次第_{curriculum_for(training).short_title}.docx")
        link = links.links_of(training, "shared")
        with app.test_request_context(base_url="http://localhost/"):
            from planner.web.survey import answer_url
            url = answer_url(links.token_of(link[0], app.config["SECRET_KEY"])) if link else ""
    return data, url


def _read(data: bytes) -> tuple[str, list[str]]:
    """The document's text and what its pictures' QR codes say."""
    import zxingcpp
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    codes = []
    for part in doc.part.package.parts:
        if part.content_type.startswith("image/"):
            with Image.open(io.BytesIO(part.blob)) as image:
                codes += [code.text for code in zxingcpp.read_barcodes(image)]
    return text, codes


def test_a_published_agenda_carries_the_shared_survey_qr_code_and_its_url(app, client, world):
    login(client, OITA_OFFICIAL)
    assert client.post(f"/trainings/{world.trainings['common']}/publish").status_code == 302
    data, url = _agenda(app, world.trainings["common"])
    assert data is not None and "/s/" in url
    text, codes = _read(data)
    assert codes == [url]
    assert "研修アンケート" in text and url in text
    # the download gives that very file (the published one, not a new build)
    download = client.get(f"/trainings/{world.trainings['common']}/agenda.docx")
    assert download.status_code == 200 and download.data == data


def test_publishing_every_changed_training_keeps_the_same_documents(app, client, world):
    login(client, OITA_OFFICIAL)
    assert client.post(f"/plans/{world.plan}/publish").status_code == 302
    with app.app_context():
        published = [t.id for t in db.session.scalars(db.select(Training)) if latest(t) is not None]
    assert world.trainings["common"] in published and world.trainings["chief"] in published
    data, url = _agenda(app, world.trainings["common"])
    assert data is not None and _read(data)[1] == [url]
    # a training without a survey: its agenda is kept too, with no code and no survey box
    other, _ = _agenda(app, world.trainings["chief"])
    text, codes = _read(other)
    assert codes == [] and "研修アンケート" not in text


def _draft_lines(app, training_id: int) -> list[str] | None:
    from planner.services.plans.versions import pending_changes
    with app.app_context():
        return pending_changes(db.session.get(Training, training_id))


def test_survey_questions_added_or_edited_after_publishing_make_the_training_a_draft(app, client, world):
    """The published 研修次第 has no survey box while the training had no questions: adding
    them afterwards, or editing one, is a change since publishing like any other edit."""
    login(client, OITA_OFFICIAL)
    chief, common = world.trainings["chief"], world.trainings["common"]
    for training_id in (chief, common):
        assert client.post(f"/trainings/{training_id}/publish").status_code == 302
        assert _draft_lines(app, training_id) is None

    added = client.post(f"/trainings/{chief}/survey/questions/new",
                        data={"kind": "single", "text": "会場はどうでしたか", "choices": "良い\n普通\n悪い"})
    assert added.status_code == 302
    assert _draft_lines(app, chief) == ["研修アンケートを追加（質問1問）"]
    page = client.get(f"/trainings/{chief}").get_data(as_text=True)
    assert "公開後に変更あり" in page
    # the download still gives the published agenda (no survey box) until the official publishes
    text, codes = _read(_agenda(app, chief)[0])
    assert codes == [] and "研修アンケート" not in text
    assert client.post(f"/trainings/{chief}/publish").status_code == 302
    assert _draft_lines(app, chief) is None
    data, url = _agenda(app, chief)
    assert _read(data)[1] == [url]

    with app.app_context():
        first = db.session.get(Training, common).survey_questions[0]
        first_id, kind, text = first.id, first.kind, first.text
    edited = client.post(f"/trainings/{common}/survey/questions/{first_id}",
                         data={"kind": kind, "text": text + "（5段階）"})
    assert edited.status_code == 302
    assert _draft_lines(app, common) == [f"アンケートの質問を変更：「{text}（5段階）」"]


def test_a_version_recorded_before_snapshots_held_the_survey_is_not_a_draft_for_that(app, world):
    """Versions published before the survey was part of the snapshot stay as published."""
    import json

    from planner.models import ProgrammeVersion
    from planner.services.plans.versions import pending_changes, snapshot
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        old = snapshot(training)
        assert old["survey"]  # the training has questions
        del old["survey"]
        db.session.add(ProgrammeVersion(training=training, number=1, published_on=training.first_date,
                                        published_by="加藤", snapshot=json.dumps(old, ensure_ascii=False),
                                        changes="初めての公開です。"))
        db.session.commit()
        assert pending_changes(training) is None
