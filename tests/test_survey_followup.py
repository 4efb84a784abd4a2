"""What follows a training: the groups' findings through their own links (roles, not names),
collected into the results and the report, and the municipalities' follow-up months later,
shown as reach per municipality beside the year's coverage."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa
from docx import Document

from planner.models import Municipality, Training
from planner.models.db import db
from planner.models.survey import FollowUp, GroupFinding
from planner.services.participants.entries import today_in_japan
from planner.services.survey import followup, links
from tests.factories import OITA_OFFICIAL, login
from tests.survey_data import SECRET, survey_world


def test_groups_record_findings_through_their_link_and_a_name_is_held(app, client):
    with app.app_context():
        world, _ = survey_world(6)
        training = db.session.get(Training, world.trainings["common"])
        token = links.token_of(links.group_link(training, 2, SECRET), SECRET)
        other = links.token_of(links.group_link(training, 1, SECRET), SECRET)
    training_id = world.trainings["common"]

    client.post(f"/g/{token}", data={"category": "issue", "text": "ひきこもりの相談窓口が住民に知られていない"})
    client.post(f"/g/{token}", data={"category": "key_role", "text": "地域包括支援センターの社会福祉士"})
    held = client.post(f"/g/{token}", data={"category": "measure", "text": "山田花子さんに相談会を頼む"})
    empty = client.post(f"/g/{token}", data={"category": "issue", "text": ""})
    own = client.get(f"/g/{token}").get_data(as_text=True)
    elsewhere = client.get(f"/g/{other}").get_data(as_text=True)
    forged = client.get("/g/not-a-token")
    login(client, OITA_OFFICIAL)
    page = client.get(f"/trainings/{training_id}/survey/results").get_data(as_text=True)
    report = Document(io.BytesIO(client.get(f"/trainings/{training_id}/survey/report.docx").data))
    text = "\n".join(p.text for p in report.paragraphs)

    assert held.status_code == 302 and empty.status_code == 422
    assert "ひきこもりの相談窓口" in own and "ひきこもりの相談窓口" not in elsewhere
    assert forged.status_code == 404 and "正しくありません" in forged.get_data(as_text=True)
    assert "2班：ひきこもりの相談窓口が住民に知られていない" in page and "確認待ち" in page
    assert "2班：地域包括支援センターの社会福祉士" in text and "山田花子" not in text


def test_the_official_releases_one_held_finding_and_keeps_another_from_the_team(app, client):
    with app.app_context():
        world, _ = survey_world(6)
        training = db.session.get(Training, world.trainings["common"])
        token = links.token_of(links.group_link(training, 2, SECRET), SECRET)
    training_id = world.trainings["common"]
    client.post(f"/g/{token}", data={"category": "measure", "text": "山田花子さんに相談会を頼む"})
    client.post(f"/g/{token}", data={"category": "issue", "text": "佐藤一郎さんの窓口が遠い"})
    with app.app_context():
        held = {f.text: f.id for f in db.session.scalars(sa.select(GroupFinding)) if f.review == "held"}
    login(client, OITA_OFFICIAL)

    released = client.post(f"/trainings/{training_id}/survey/findings/{held['山田花子さんに相談会を頼む']}",
                           data={"release": "1"})
    kept = client.post(f"/trainings/{training_id}/survey/findings/{held['佐藤一郎さんの窓口が遠い']}", data={})
    again = client.post(f"/trainings/{training_id}/survey/findings/{held['佐藤一郎さんの窓口が遠い'] + 1000}",
                        data={"release": "1"})

    assert len(held) == 2
    assert [r.status_code for r in (released, kept, again)] == [302, 302, 404]
    assert released.location.endswith(f"/trainings/{training_id}/survey/results#findings")
    with app.app_context():
        assert {f.text: f.review for f in db.session.scalars(sa.select(GroupFinding))} == {
            "山田花子さんに相談会を頼む": "released", "佐藤一郎さんの窓口が遠い": "hidden"}


def test_follow_up_opens_three_months_on_and_shows_as_reach_beside_coverage(app, client):
    with app.app_context():
        world, _ = survey_world(4)
        training = db.session.get(Training, world.trainings["common"])
        training.first_date = today_in_japan() - timedelta(days=60)
        db.session.commit()
        municipality = db.session.scalar(sa.select(Municipality).filter_by(name="大分市"))
        token = links.token_of(links.followup_link(training, municipality, SECRET), SECRET)
    early = client.post(f"/f/{token}", data={"held": "yes", "activity": "市の研修", "people": "12"})
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        training.first_date = today_in_japan() - timedelta(days=120)
        db.session.commit()
        assert followup.due(training, today_in_japan())

    bad = client.post(f"/f/{token}", data={"held": "yes", "activity": "", "people": "たくさん"})
    good = client.post(f"/f/{token}", data={"held": "yes", "activity": "市の相談支援員研修でアセスメントを伝達", "people": "12"})
    changed = client.post(f"/f/{token}", data={"held": "yes", "activity": "市の相談支援員研修", "people": "14"})
    login(client, OITA_OFFICIAL)
    year = client.get(f"/plans/{world.plan}/participants/coverage").get_data(as_text=True)

    assert early.status_code == 403 and "3か月後から" in early.get_data(as_text=True)
    assert bad.status_code == 422 and "参加した人数を1〜" in bad.get_data(as_text=True)
    assert good.status_code == 302 and changed.status_code == 302
    with app.app_context():
        rows = list(db.session.scalars(sa.select(FollowUp)))
        assert [(r.held, r.people) for r in rows] == [(True, 14)]
    row = re.search(r"<th scope=\"row\">大分市</th>((?:<td class=\"num\">\d+</td>){5})</tr>", year)
    assert row is not None, year[-3000:]
    assert re.findall(r"(\d+)</td>", row.group(1)) == ["1", "1", "1", "1", "14"]


def test_the_demo_has_a_past_training_with_answers_findings_a_follow_up_under_way_and_changes(app):
    from planner.models import ChangeItem, GroupFinding, SurveyLink, SurveyResponse
    from planner.services.demo import load_demo
    with app.app_context():
        load_demo()
        responses = db.session.scalar(sa.select(sa.func.count(SurveyResponse.id)))
        used = db.session.scalar(sa.select(sa.func.count(SurveyLink.id)).filter_by(purpose="participant", used=True))
        unused = db.session.scalar(sa.select(sa.func.count(SurveyLink.id)).filter_by(purpose="participant", used=False))
        findings = db.session.scalar(sa.select(sa.func.count(GroupFinding.id)))
        asked = db.session.scalar(sa.select(sa.func.count(SurveyLink.id)).filter_by(purpose="followup"))
        answered = db.session.scalar(sa.select(sa.func.count(FollowUp.id)))
        changes = db.session.scalar(sa.select(sa.func.count(ChangeItem.id)))
        trainings = {r.training_id for r in db.session.scalars(sa.select(SurveyResponse))}
        [training_id] = trainings
        held = db.session.get(Training, training_id).last_day

    assert responses == used == 10 and unused == 2
    assert findings == 6 and 0 < answered < asked and changes == 2
    assert held < today_in_japan()


def test_each_participant_gets_their_own_link_by_mail_and_a_reminder_only_while_unanswered(app, client, smtp):
    from planner.models.survey import SurveyQuestion
    from tests.smtp import text_body
    from tests.survey_data import form_for
    app.config.update(smtp.config())
    with app.app_context():
        world, _ = survey_world(4)
    training_id = world.trainings["common"]
    login(client, OITA_OFFICIAL)

    client.post(f"/trainings/{training_id}/survey/links")
    first = smtp.inbox.messages()
    urls = {m["To"].addresses[0].addr_spec: re.search(r"http://localhost/s/\S+", text_body(m)).group(0) for m in first}
    with app.app_context():
        rows = list(db.session.scalars(sa.select(SurveyQuestion).filter_by(training_id=training_id)
                                       .options(sa.orm.selectinload(SurveyQuestion.subject))))
        values = {q.aspect if q.subject is None else f"{q.aspect}:{q.subject.letter}": "4"
                  for q in rows if q.kind == "scale"}
        values["participant_kind"] = "行政"
    client.post("/logout")
    answered = client.post(urls["p0@example.jp"].removeprefix("http://localhost"), data=form_for(rows, values))
    login(client, OITA_OFFICIAL)
    client.post(f"/trainings/{training_id}/survey/remind")
    reminders = smtp.inbox.messages()[len(first):]
    page = client.get(f"/trainings/{training_id}/survey").get_data(as_text=True)

    assert sorted(urls) == [f"p{n}@example.jp" for n in range(4)] and len(set(urls.values())) == 4
    assert all(m["Subject"].startswith("【研修アンケートのお願い】") for m in first)
    assert answered.status_code == 302
    assert sorted(m["To"].addresses[0].addr_spec for m in reminders) == [f"p{n}@example.jp" for n in (1, 2, 3)]
    assert all("再送" in m["Subject"] for m in reminders)
    assert "回答率 25.0%（1 / 4名）" in page
