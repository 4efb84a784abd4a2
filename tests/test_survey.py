"""The participants' survey: questions from the programme, one-time links, anonymity of the
stored answers, aggregation in the page, the report and the .xlsx, held comments, the CLI."""
from __future__ import annotations

import io
import json
import re
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from planner.models import SurveyLink, Training
from planner.models.db import db
from planner.models.survey import SurveyQuestion, SurveyResponse
from planner.services.survey import links
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login
from tests.survey_data import SECRET, form_for, survey_world

LETTERS = "ABCDEF"


def _questions(training_id: int) -> list[SurveyQuestion]:
    return list(db.session.scalars(sa.select(SurveyQuestion).filter_by(training_id=training_id)
                                   .options(sa.orm.selectinload(SurveyQuestion.subject))
                                   .order_by(SurveyQuestion.position)))


def test_questions_are_made_from_the_trainings_own_programme(app):
    with app.app_context():
        world, _ = survey_world(2)
        rows = _questions(world.trainings["common"])

        per_subject = [(q.subject.letter, q.aspect, q.kind) for q in rows if q.subject is not None]
        overall = [(q.aspect, q.kind) for q in rows if q.subject is None]

    assert per_subject == [(letter, aspect, kind) for letter in LETTERS
                           for aspect, kind in (("understanding", "scale"), ("usefulness", "scale"),
                                                ("comment", "text"))]
    assert overall == [("satisfaction", "scale"), ("themes", "multiple"), ("free", "text"),
                       ("participant_kind", "single")]


def _answers_for(n: int) -> dict[str, object]:
    """Participant n's known answers: understanding of A is n % 5 + 1, usefulness of A is
    5 - n % 3, satisfaction 4 or 5, kind by n % 3; other subjects answered 3."""
    values: dict[str, object] = {f"understanding:{x}": "3" for x in LETTERS[1:]}
    values.update({f"usefulness:{x}": "3" for x in LETTERS[1:]})
    values.update({"understanding:A": str(n % 5 + 1), "usefulness:A": str(5 - n % 3),
                   "satisfaction": "5" if n % 2 else "4",
                   "participant_kind": ["支援員", "行政", "関係機関"][n % 3],
                   "themes": ["就労支援", "居住支援"] if n % 4 == 0 else ["就労支援"]})
    return values


def _expected():
    und = [n % 5 + 1 for n in range(30)]
    use = [5 - n % 3 for n in range(30)]
    sat = [5 if n % 2 else 4 for n in range(30)]
    return und, use, sat


def _avg(values) -> str:
    return str((Decimal(sum(values)) / len(values)).quantize(Decimal("0.01")))


def _dist(values) -> list[int]:
    return [values.count(n) for n in (5, 4, 3, 2, 1)]


def test_thirty_answers_agree_in_the_page_the_report_and_the_xlsx(app, client):
    with app.app_context():
        world, tokens = survey_world(30)
        rows = _questions(world.trainings["common"])
        ids = {f"{q.aspect}:{q.subject.letter}" if q.subject else q.aspect: q.id for q in rows}
    training_id = world.trainings["common"]

    for n, token in enumerate(tokens.values()):
        response = client.post(f"/s/{token}", data=form_for(rows, _answers_for(n)))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    und, use, sat = _expected()
    login(client, OITA_OFFICIAL)
    page = client.get(f"/trainings/{training_id}/survey/results").get_data(as_text=True)
    for key, values in (("understanding:A", und), ("usefulness:A", use), ("satisfaction", sat),
                        ("understanding:B", [3] * 30)):
        row = re.search(rf'<tr data-question="{ids[key]}">(.*?)</tr>', page, re.S).group(1)
        assert re.search(r'class="count">(\d+)<', row).group(1) == "30"
        assert re.search(r'class="average">([\d.]+)<', row).group(1) == _avg(values)
        bars = [int(v) for v in re.findall(r'data-value="(\d+)"', row)]
        assert bars == _dist(values) and sum(bars) == 30
    assert 'data-total="responses">30<' in page and 'data-total="rate">100.0%<' in page
    themes = re.search(rf'data-question="{ids["themes"]}">(.*?)</table>', page, re.S).group(1)
    assert re.findall(r'<th scope="row">(就労支援|居住支援)</th><td class="count">(\d+)<', themes) == [
        ("就労支援", "30"), ("居住支援", "8")]

    docx = Document(io.BytesIO(client.get(f"/trainings/{training_id}/survey/report.docx").data))
    scale_table = next(t for t in docx.tables if t.rows[0].cells[0].text == "質問")
    cells = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in scale_table.rows[1:]}
    by_text = {q.id: q.text for q in rows}
    for key, values in (("understanding:A", und), ("usefulness:A", use), ("satisfaction", sat)):
        assert cells[by_text[ids[key]]] == ["30", _avg(values)] + [str(v) for v in _dist(values)]
    alts = [d.get("descr") for d in docx.element.body.iter(qn("wp:docPr"))]
    chart = next(a for a in alts if a.startswith(by_text[ids["understanding:A"]] + ":"))
    assert chart.endswith("、".join(f"{n}={c}件" for n, c in zip("54321", _dist(und))))
    section = docx.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)

    book = load_workbook(io.BytesIO(client.get(f"/trainings/{training_id}/survey/answers.xlsx").data))
    summary = {row[0]: row for row in book["集計"].iter_rows(min_row=2, values_only=True)}
    for key, values in (("understanding:A", und), ("usefulness:A", use), ("satisfaction", sat)):
        row = summary[by_text[ids[key]]]
        assert row[2] == 30 and Decimal(str(row[3])) == Decimal(_avg(values)) and list(row[4:9]) == _dist(values)
    answers = list(book["回答"].iter_rows(values_only=True))
    header, body = answers[0], answers[1:]
    column = header.index(by_text[ids["understanding:A"]])
    assert len(body) == 30 and sorted(r[column] for r in body) == sorted(und)


def test_a_link_answers_once_and_forged_or_expired_links_are_refused_in_japanese(app, client):
    with app.app_context():
        world, tokens = survey_world(2)
        training = db.session.get(Training, world.trainings["common"])
        shared = links.token_of(links.shared_link(training, SECRET), SECRET)
        rows = _questions(world.trainings["common"])
    first, second = tokens.values()
    values = _answers_for(1)

    assert client.post(f"/s/{first}", data=form_for(rows, values)).status_code == 302
    again = client.post(f"/s/{first}", data=form_for(rows, values))
    reopened = client.get(f"/s/{first}")
    forged = client.get(f"/s/{first[:-2]}xx")
    with app.app_context():
        link = db.session.scalar(sa.select(SurveyLink).filter_by(token_hash=links.hash_of(second)))
        link.expires_on = date(2020, 1, 1)
        db.session.commit()
    expired = client.get(f"/s/{second}")
    client.post(f"/s/{shared}", data=form_for(rows, values))
    client.post(f"/s/{shared}", data=form_for(rows, values))

    assert again.status_code == 410 and "すでに回答済み" in again.get_data(as_text=True)
    assert reopened.status_code == 410
    assert forged.status_code == 404 and "正しくありません" in forged.get_data(as_text=True)
    assert expired.status_code == 410 and "終了しました" in expired.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 3  # one + shared twice


def test_a_missing_required_answer_stores_nothing_and_says_which(app, client):
    with app.app_context():
        world, tokens = survey_world(1)
        rows = _questions(world.trainings["common"])
    token = next(iter(tokens.values()))
    values = _answers_for(0)
    del values["satisfaction"]
    values["understanding:B"] = "9"

    response = client.post(f"/s/{token}", data=form_for(rows, values))

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "この質問は回答が必要です。" in text and "1〜5 のどれかを選んでください。" in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0
        assert not db.session.scalar(sa.select(SurveyLink.used).filter_by(token_hash=links.hash_of(token)))


def test_no_table_links_an_answer_to_a_participant_a_link_or_a_time(app, client):
    with app.app_context():
        world, tokens = survey_world(6)
        rows = _questions(world.trainings["common"])
    for n, token in enumerate(tokens.values()):
        client.post(f"/s/{token}", data=form_for(rows, _answers_for(n)))

    with app.app_context():
        metadata = db.metadata
        answer_tables = [metadata.tables["survey_response"], metadata.tables["survey_answer"]]
        referenced = {fk.column.table.name for t in answer_tables for fk in t.foreign_keys}
        kinds = {type(c.type).__name__ for t in answer_tables for c in t.columns}
        # and no other table points at an answer
        pointing = {t.name for t in metadata.tables.values() for fk in t.foreign_keys
                    if fk.column.table.name in ("survey_response", "survey_answer") and t not in answer_tables}
        ids = list(db.session.scalars(sa.text("SELECT id FROM survey_response")))
        link_columns = set(metadata.tables["survey_link"].columns.keys())

    assert referenced == {"training", "survey_response", "survey_question"}
    assert "DateTime" not in kinds and "Integer" not in {type(c.type).__name__ for c in answer_tables[0].primary_key}
    assert pointing == set()
    assert len(ids) == 6 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert not any("at" == c.rsplit("_", 1)[-1] for c in link_columns)  # the link says used, never when


def test_a_comment_naming_a_person_is_held_from_the_team_until_the_official_releases_it(app, client):
    with app.app_context():
        world, tokens = survey_world(2)
        rows = _questions(world.trainings["common"])
    training_id = world.trainings["common"]
    first, second = tokens.values()
    client.post(f"/s/{first}", data=form_for(rows, {**_answers_for(0), "free": "佐藤太郎さんの説明が丁寧でした。"}))
    client.post(f"/s/{second}", data=form_for(rows, {**_answers_for(1), "free": "演習の時間がもっと欲しい。"}))

    login(client, OITA_MEMBER)
    team_before = client.get(f"/trainings/{training_id}/survey/results").get_data(as_text=True)
    report_before = client.get(f"/trainings/{training_id}/survey/report.docx").data
    client.post("/logout")
    login(client, OITA_OFFICIAL)
    official = client.get(f"/trainings/{training_id}/survey/results").get_data(as_text=True)
    answer_id = re.search(r'/survey/comments/([0-9a-f]{32})"', official).group(1)
    settled = client.post(f"/trainings/{training_id}/survey/comments/{answer_id}", data={"release": "1"})
    client.post("/logout")
    login(client, OITA_MEMBER)
    team_after = client.get(f"/trainings/{training_id}/survey/results").get_data(as_text=True)

    assert "演習の時間がもっと欲しい。" in team_before and "佐藤太郎" not in team_before
    assert "佐藤太郎" not in "\n".join(p.text for p in Document(io.BytesIO(report_before)).paragraphs)
    assert "佐藤太郎さんの説明が丁寧でした。" in official and "確認待ち" in official
    assert "佐藤太郎さんの説明が丁寧でした。" in team_after
    assert settled.location.endswith(f"/trainings/{training_id}/survey/results#comments")


def test_survey_results_cli_prints_the_same_numbers_and_refuses_a_bad_id(app, client, runner):
    with app.app_context():
        world, tokens = survey_world(5)
        rows = _questions(world.trainings["common"])
    for n, token in enumerate(tokens.values()):
        client.post(f"/s/{token}", data=form_for(rows, _answers_for(n)))

    result = runner.invoke(args=["survey-results", str(world.trainings["common"]), "--json"])
    missing = runner.invoke(args=["survey-results", "99999"])
    bad = runner.invoke(args=["survey-results", "abc"])

    data = json.loads(result.output)
    first = next(q for q in data["questions"] if q["kind"] == "scale")
    values = [n % 5 + 1 for n in range(5)]
    assert result.exit_code == 0 and data["responses"] == 5 and data["response_rate"] == "100.0"
    assert first["average"] == _avg(values) and list(first["distribution"].values()) == _dist(values)
    assert missing.exit_code == 2 and "研修 99999 はありません" in missing.output
    assert bad.exit_code == 2


def test_the_official_edits_adds_and_deletes_questions_with_japanese_refusals(app, client):
    with app.app_context():
        world, tokens = survey_world(1)
        rows = _questions(world.trainings["common"])
    training_id = world.trainings["common"]
    client.post(f"/s/{next(iter(tokens.values()))}", data=form_for(rows, _answers_for(0)))
    login(client, OITA_OFFICIAL)

    added = client.post(f"/trainings/{training_id}/survey/questions/new",
                        data={"kind": "single", "text": "会場はどうでしたか", "choices": "良い\n普通\n悪い", "required": "y"})
    one_choice = client.post(f"/trainings/{training_id}/survey/questions/new",
                             data={"kind": "multiple", "text": "x", "choices": "一つだけ"})
    answered = rows[0].id
    retype = client.post(f"/trainings/{training_id}/survey/questions/{answered}",
                         data={"kind": "text", "text": "変更"})
    delete = client.post(f"/trainings/{training_id}/survey/questions/delete", data={"question_id": answered})
    unnamed = client.post(f"/trainings/{training_id}/survey/questions/delete")
    removed = client.post(f"/trainings/{training_id}/survey/questions/delete", data={"question_id": rows[2].id})

    assert added.status_code == 302
    assert one_choice.status_code == 422 and "選択肢を2つ以上" in one_choice.get_data(as_text=True)
    assert retype.status_code == 422 and "種類と選択肢を変えられません" in retype.get_data(as_text=True)
    assert delete.status_code == 409 and unnamed.status_code == 400 and removed.status_code == 302
    with app.app_context():
        assert _questions(training_id)[-1].choice_list == ["良い", "普通", "悪い"]


def test_a_common_retrospective_change_reaches_the_next_meeting_the_briefing_and_next_year(app, client):
    from planner.models import Milestone, Plan
    from planner.services.plans.next_cycle import copy_plan
    from planner.services.timeline import generate_plan_timeline
    with app.app_context():
        world, _ = survey_world(1, held_today=False)
        plan = db.session.get(Plan, world.plan)
        generate_plan_timeline(plan)
        db.session.commit()
        retro = db.session.scalar(sa.select(Milestone).where(
            Milestone.plan_id == plan.id, Milestone.kind == "retrospective",
            Milestone.training_id == world.trainings["common"]))
        retro_id = retro.id
        meetings = list(db.session.scalars(sa.select(Milestone).where(
            Milestone.plan_id == plan.id, Milestone.kind == "meeting").order_by(Milestone.start)))
        following = next(m for m in meetings if m.start >= retro.start)
        earlier = [m.id for m in meetings if m.start < retro.start]
        following_id = following.id
    login(client, OITA_OFFICIAL)

    added = client.post(f"/plans/{world.plan}/retrospectives/{retro_id}",
                        data={"letter": "A", "text": "事例の読み込み時間を10分増やす"})
    empty = client.post(f"/plans/{world.plan}/retrospectives/{retro_id}", data={"letter": "Z", "text": ""})
    agenda = client.get(f"/plans/{world.plan}/meetings/{following_id}").get_data(as_text=True)
    before = [client.get(f"/plans/{world.plan}/meetings/{m}").get_data(as_text=True) for m in earlier]
    with app.app_context():
        new_plan = copy_plan(db.session.get(Plan, world.plan))
        db.session.commit()
        todos = [t.text for t in new_plan.carried_todos]
        new_common = next(t for t in new_plan.trainings if t.curriculum_key == "common")
        row = next(r for r in new_common.subjects if r.letter == "A")
        from exports.handouts import briefing
        text = "\n".join(p.text for p in Document(io.BytesIO(briefing(new_common, row))).paragraphs)
        copied = len(new_common.survey_questions)

    assert added.status_code == 302
    assert empty.status_code == 422 and "この研修にない科目です。" in empty.get_data(as_text=True)
    assert "【前期共通・科目A】事例の読み込み時間を10分増やす" in agenda
    assert all("事例の読み込み時間" not in page for page in before)
    assert "【前期共通・科目A】事例の読み込み時間を10分増やす" in todos
    assert "前回の振り返りから（次に変えること）" in text and "事例の読み込み時間を10分増やす" in text
    assert copied == 6 * 3 + 4
