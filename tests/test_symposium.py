"""A symposium has a コーディネーター and several シンポジスト (issue 23): entered one per line
「氏名／所属／テーマ」, refused line by line in Japanese with what was typed kept, carried by
the plan backup both ways (older files too), and printed on a public 次第 with its programme,
rendered through LibreOffice onto one page."""
from __future__ import annotations

import io
import json
import re
import subprocess
import uuid
from datetime import date, time

import pytest
from docx import Document

from exports import handouts
from planner.models import Plan, SupplementaryEvent, Training
from planner.models.db import db
from planner.services.backup import plan as backup
from planner.services.plans.supplements import EventValues, Speaker, add_event
from tests.factories import OITA_OFFICIAL, login, make_oita
from tests.system import require, require_fonts
from tests.test_supplements import _form as event_form

SYMPOSISTS = ("森本 健太／あおば市 生活支援課 主任相談支援員／断らない相談の入口をつくる\n"
              "石田 由美/みどり県社会福祉協議会/地域の居場所とつながりづくり\n"
              "\n"  # a blank line is skipped
              "中村 大輔\tNPO法人 みどりの家\tひきこもりの人と家族への伴走支援\n")  # pasted from Excel
THREE = [("森本 健太", "あおば市 生活支援課 主任相談支援員", "断らない相談の入口をつくる"),
         ("石田 由美", "みどり県社会福祉協議会", "地域の居場所とつながりづくり"),
         ("中村 大輔", "NPO法人 みどりの家", "ひきこもりの人と家族への伴走支援")]


@pytest.fixture
def world(app):
    with app.app_context():
        return make_oita()


def _form(world, **changes) -> dict:
    """The supplement form of test_supplements filled for a symposium: a coordinator and three
    symposists instead of a lecturer."""
    return event_form(world, **{"lecturer_name": "", "lecturer_org": "", "coordinator_name": "小川 恵子",
                                "coordinator_org": "大分県立大学 教授", "symposists_text": SYMPOSISTS, **changes})


def _symposium(world, **changes) -> SupplementaryEvent:
    values = dict(kind="symposium", title="地域で支える", day=date(2026, 3, 4), start_time=time(13, 30),
                  end_time=time(16, 30), place="大分県総合社会福祉会館", coordinator_name="小川 恵子",
                  coordinator_org="大分県立大学 教授", symposists=tuple(Speaker(*s) for s in THREE))
    values.update(changes)
    return add_event(db.session.get(Training, world.trainings["common"]), world.subjects["C"],
                     EventValues(**values))


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def _stored(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        event = db.session.scalar(db.select(SupplementaryEvent))
        return [(s.name, s.affiliation, s.topic) for s in event.symposists] if event else []


# --------------------------------------------------------------------------- the form

def test_an_official_enters_a_coordinator_and_three_symposists(app, client, world):
    login(client, OITA_OFFICIAL)
    new = f"/supplements/new/{world.trainings['common']}"
    page = client.get(new).text
    assert "コーディネーターの氏名" in page and "1行に1人：氏名／所属・役職／報告テーマ" in page
    assert client.post(new, data=_form(world)).status_code == 302
    assert _stored(app) == THREE
    with app.app_context():
        event = db.session.scalar(db.select(SupplementaryEvent))
        assert (event.coordinator_name, event.coordinator_org) == ("小川 恵子", "大分県立大学 教授")
        event_id = event.id
    shown = client.get(f"/supplements/{event_id}").text
    assert "コーディネーター" in shown and "小川 恵子（大分県立大学 教授）" in shown
    assert "石田 由美（みどり県社会福祉協議会）「地域の居場所とつながりづくり」" in shown
    # the edit page shows them one per line, as they would be typed
    edit = client.get(f"/supplements/{event_id}/edit").text
    assert ("森本 健太／あおば市 生活支援課 主任相談支援員／断らない相談の入口をつくる\n"
            "石田 由美／みどり県社会福祉協議会／地域の居場所とつながりづくり\n"
            "中村 大輔／NPO法人 みどりの家／ひきこもりの人と家族への伴走支援") in edit
    # one fewer, in a new order: the stored list follows
    response = client.post(f"/supplements/{event_id}/edit",
                           data=_form(world, symposists_text="中村 大輔\n森本 健太／あおば市"))
    assert response.status_code == 302
    assert _stored(app) == [("中村 大輔", "", ""), ("森本 健太", "あおば市", "")]


@pytest.mark.parametrize("changes, messages", [
    ({"symposists_text": "森本 健太／あおば市／入口／余り"}, ["シンポジストの1行目：区切りの「／」が多すぎます。"]),
    ({"symposists_text": "森本 健太\n／あおば市／入口"}, ["シンポジストの2行目：氏名を入力してください"]),
    ({"symposists_text": "森本 健太、石田 由美"}, ["シンポジストの1行目：1行に1人ずつ入力してください。"]),
    ({"symposists_text": "森" * 101 + "\n石田／" + "所" * 201},
     ["シンポジストの1行目：氏名は100文字以内にしてください（101文字あります）。",
      "シンポジストの2行目：所属・役職は200文字以内にしてください（201文字あります）。"]),
    ({"symposists_text": "\n".join(f"報告者{i}" for i in range(11))}, ["シンポジストは10人までにしてください（11人あります）。"]),
    ({"coordinator_name": "", "coordinator_org": "大分県立大学"}, ["コーディネーターの氏名を入力してください。"]),
    ({"kind": "lecture"}, ["コーディネーターとシンポジストは、種類が「シンポジウム」のときに入力します。"]),
])
def test_unreadable_speakers_are_refused_in_japanese_and_kept_in_the_form(app, client, world, changes, messages):
    login(client, OITA_OFFICIAL)
    data = _form(world, **changes)
    response = client.post(f"/supplements/new/{world.trainings['common']}", data=data)
    assert response.status_code == 422
    assert all(m in response.text for m in messages), response.text
    typed = data["symposists_text"].split("\n")[0]
    assert typed[:20] in response.text and 'value="大分県総合社会福祉会館"' in response.text  # kept
    with app.app_context():
        assert db.session.scalar(db.select(SupplementaryEvent)) is None


def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(app, client, world):
    login(client, OITA_OFFICIAL)
    client.post(f"/supplements/new/{world.trainings['common']}", data=_form(world))
    with app.app_context():
        event_id = db.session.scalar(db.select(SupplementaryEvent.id))
    response = client.post(f"/supplements/{event_id}/edit",
                           data=_form(world, symposists_text="新しい人\n／所属だけ"))
    assert response.status_code == 422 and "シンポジストの2行目：氏名を入力してください" in response.text
    assert "新しい人\n／所属だけ" in response.text
    assert _stored(app) == THREE


# --------------------------------------------------------------------------- the 次第

def test_the_symposium_agenda_renders_on_one_page_with_its_programme(app, world, tmp_path, artifacts):
    soffice = require("soffice", "the 次第 is checked by converting it with LibreOffice")
    require_fonts("the 次第 is Japanese")
    with app.app_context():
        data = handouts.supplement_agenda(_symposium(world))
    (tmp_path / "symposium.docx").write_bytes(data)
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "symposium.docx")],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "symposium.pdf"
    pages = subprocess.run([require("pdftotext"), "-layout", str(pdf), "-"], check=True,
                           capture_output=True, text=True, timeout=60).stdout.split("\f")[:-1]
    out = artifacts / "documents"
    out.mkdir(exist_ok=True)
    subprocess.run([require("pdftoppm"), "-png", "-r", "80", str(pdf), str(out / "symposium")],
                   check=True, capture_output=True, timeout=60)

    assert len(pages) == 1  # no page holding only the contact block
    text = re.sub(r"[ 　]", "", pages[0])  # pdftotext spaces characters apart
    assert "シンポジウム「地域で支える」" in text and "令和8年3月4日（水）13:30～16:30" in text
    assert "13:30～13:35開会" in text and "趣旨説明コーディネーター小川恵子（大分県立大学教授）" in text
    for name, _, topic in THREE:
        assert f"シンポジストの報告{name.replace(' ', '')}「{topic}」" in text
    assert "意見交換・質疑応答（進行：コーディネーター小川恵子）" in text and "閉会" in text
    assert "16:25～16:30閉会" in text
    assert "NPO法人みどりの家" in text and "あおば市生活支援課主任相談支援員" in text  # every affiliation
    # for the public: no planner text, 令和 only, one wave dash
    for planner_text in ("不足する視点", "研修当日", "補う", "科目C", "説明する"):
        assert planner_text not in text
    assert "\u301c" not in text and not re.search(r"20\d\d年", text)


def test_a_keynote_comes_before_the_reports_and_a_short_one_still_adds_up(app, world):
    with app.app_context():
        keynote = _text(handouts.supplement_agenda(_symposium(
            world, lecturer_name="山本 礼子", lecturer_org="県立大学")))
        short = _text(handouts.supplement_agenda(_symposium(
            world, day=date(2026, 3, 5), start_time=time(14), end_time=time(14, 15),
            coordinator_name="", coordinator_org="", symposists=())))
    assert "13:35～14:05" in keynote and "基調講演　山本 礼子（県立大学）" in keynote
    assert keynote.index("基調講演") < keynote.index("シンポジストの報告") < keynote.index("意見交換")
    assert "14:00～14:15\nシンポジストの報告と意見交換" in short  # too short for a line each
    assert "コーディネーター\n未定" in short and "シンポジスト\n未定" in short


# --------------------------------------------------------------------------- the backup

def test_the_backup_carries_coordinator_and_symposists_both_ways(app, world):
    with app.app_context():
        _symposium(world)
        plan = db.session.get(Plan, world.plan)
        data = backup.export_plan(plan)
        section = next(s for s in data["plan"]["trainings"][0]["subjects"] if s["letter"] == "C")
        [event] = section["supplements"]
        assert event["coordinator_name"] == "小川 恵子"
        assert [tuple(s.values()) for s in event["symposists"]] == THREE
        copy = backup.load_plan(plan.prefecture, json.dumps(data))
        [restored] = [e for t in copy.trainings for r in t.subjects for e in r.supplements]
        assert (restored.coordinator_name, restored.coordinator_org) == ("小川 恵子", "大分県立大学 教授")
        assert [(s.name, s.affiliation, s.topic) for s in restored.symposists] == THREE
        assert backup.export_plan(copy)["plan"]["trainings"][0]["subjects"] == data["plan"]["trainings"][0]["subjects"]

        event["kind"] = "lecture"  # speakers of a symposium only
        with pytest.raises(backup.BackupError, match="シンポジウムの催しにだけ"):
            backup.load_plan(plan.prefecture, json.dumps(data))
        event["kind"], event["symposists"][1]["name"] = "symposium", ""
        with pytest.raises(backup.BackupError, match="シンポジスト2.*氏名"):
            backup.load_plan(plan.prefecture, json.dumps(data))


def test_an_older_file_imports_its_lecturer_names_as_symposists(app, world):
    with app.app_context():
        _symposium(world, coordinator_name="", coordinator_org="", symposists=())
        plan = db.session.get(Plan, world.plan)
        data = backup.export_plan(plan)
        section = next(s for s in data["plan"]["trainings"][0]["subjects"] if s["letter"] == "C")
        for event in section["supplements"]:  # as written before symposiums had speakers
            for key in ("coordinator_name", "coordinator_org", "symposists"):
                del event[key]
            event["lecturer_name"], event["lecturer_org"] = "小川 恵子、田中 誠", "大分県立大学 ほか"
        [restored] = [e for t in backup.load_plan(plan.prefecture, json.dumps(data)).trainings
                      for r in t.subjects for e in r.supplements]
        assert [(s.name, s.affiliation) for s in restored.symposists] == [
            ("小川 恵子", "大分県立大学 ほか"), ("田中 誠", "大分県立大学 ほか")]
        assert (restored.lecturer_name, restored.coordinator_name) == ("", "")


def test_an_event_on_a_subject_the_source_does_not_name_round_trips(app, world):
    """Any subject may be supplemented (issue 24); the backup used to refuse such a file."""
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        add_event(training, world.subjects["B"], EventValues(
            kind="lecture", title="倫理と姿勢", day=date(2026, 3, 5), start_time=time(14), end_time=time(16),
            lecturer_name="山本 礼子"))
        plan = db.session.get(Plan, world.plan)
        copy = backup.load_plan(plan.prefecture, json.dumps(backup.export_plan(plan)))
        assert [(r.letter, e.title) for t in copy.trainings for r in t.subjects for e in r.supplements] == [
            ("B", "倫理と姿勢")]


# --------------------------------------------------------------------------- the demo

def test_the_demo_has_a_symposium_with_a_coordinator_and_three_symposists(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        [event] = db.session.scalars(db.select(SupplementaryEvent).filter_by(kind="symposium")).all()
        people = [(s.name, s.topic) for s in event.symposists]
        text = _text(handouts.supplement_agenda(event))
        assert event.coordinator_name and len(people) == 3 and all(topic for _, topic in people)
    assert f"進行：コーディネーター　{event.coordinator_name}" in text
    assert all(f"シンポジストの報告　{name}「{topic}」" in text for name, topic in people)


# --------------------------------------------------------------------------- the migration

def _as_of(table, *later: str):
    """`table` without the columns a later revision adds (their Python defaults kept for the rest)."""
    import sqlalchemy as sa
    return sa.Table(table.name, sa.MetaData(), *[
        sa.Column(c.name, c.type, primary_key=c.primary_key, default=c.default.arg if c.default else None)
        for c in table.columns if c.name not in later])


def test_the_migration_makes_a_symposiums_lecturer_names_its_symposists(empty_database_url):
    """Before a16i00000001 a symposium's speakers were its lecturer's names; after it they are
    its symposists (a lecture keeps its lecturer)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app
    from planner.models import Prefecture, Symposist, TrainingSubject
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    typed = {"day": sa.Date, "start_time": sa.Time, "end_time": sa.Time}
    old_event = sa.table("supplementary_event", *[sa.column(c, typed.get(c)) for c in (
        "subject_id", "kind", "title", "day", "start_time", "end_time", "place", "lecturer_name", "lecturer_org",
        "effect", "revision")])
    with app.app_context():
        upgrade(revision="a16h00000001")
        with db.engine.begin() as c:
            prefecture = c.execute(sa.insert(Prefecture.__table__).values(name="大分県")).inserted_primary_key[0]
            plan = c.execute(sa.insert(Plan.__table__).values(prefecture_id=prefecture, title="計画",
                                                              cycle_year=2025)).inserted_primary_key[0]
            # the tables as a16h00000001 has them: without the columns later revisions add
            training = c.execute(sa.insert(_as_of(Training.__table__, "local_title", "aim"))
                                 .values(plan_id=plan, curriculum_key="common")).inserted_primary_key[0]
            subject = c.execute(sa.insert(_as_of(TrainingSubject.__table__, "team_lecturer", "uses_cases", "option_keys"))
                                .values(training_id=training, letter="C")).inserted_primary_key[0]
            for start, kind, name in ((13, "symposium", "小川 恵子、田中 誠"), (10, "lecture", "山本 礼子")):
                c.execute(sa.insert(old_event).values(
                    subject_id=subject, kind=kind, title="地域で支える", day=date(2026, 3, 4), start_time=time(start),
                    end_time=time(start + 2), place="", lecturer_name=name, lecturer_org="大分県立大学",
                    effect="stays", revision=1))
        upgrade()
        rows = db.session.execute(sa.select(SupplementaryEvent.kind, SupplementaryEvent.lecturer_name)
                                  .order_by(SupplementaryEvent.kind)).all()
        speakers = db.session.execute(sa.select(Symposist.name, Symposist.affiliation)
                                      .order_by(Symposist.position)).all()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [("lecture", "山本 礼子"), ("symposium", "")]
    assert [tuple(s) for s in speakers] == [("小川 恵子", "大分県立大学"), ("田中 誠", "大分県立大学")]
