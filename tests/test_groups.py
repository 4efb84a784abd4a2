"""Groups of a training: the service stores groups and facilitators, keeps pins and pairs,
refuses what it cannot do; the page and the 班分け表 files (read back with openpyxl and
python-docx); 「班を作る」 waits for a concurrent writer of the participants."""
import io
import math
import subprocess
import threading
import uuid

import pytest
from docx import Document
from openpyxl import load_workbook

from exports.groups import groups_docx
from planner.models import (
    GroupFacilitator,
    KeepApart,
    MemberUnavailable,
    Municipality,
    Participant,
    Plan,
    TeamMember,
    Training,
)
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.participants import groups
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita
from tests.group_factories import TOWNS, add_members, add_participants
from tests.system import require, require_fonts


@pytest.fixture
def world(app):
    with app.app_context():
        world = make_oita()
        spec = [(TOWNS[i % 4], "worker") for i in range(10)] + [(TOWNS[4], "official"), (TOWNS[5], "agency")]
        world.participants = add_participants(world.trainings["common"], spec)
        add_members(world.plan, 3)
    return world


def test_make_groups_stores_groups_and_facilitators(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])

        result = groups.make(training, 4)

        stored = {p.id: p.group_no for p in db.session.scalars(db.select(Participant))}
        assert stored == result.group_of()
        assert sorted(len(g) for g in result.groups) == [4, 4, 4]
        rows = db.session.scalars(db.select(GroupFacilitator).order_by(GroupFacilitator.group_no)).all()
        assert [r.group_no for r in rows] == [1, 2, 3]
        assert None not in [r.member_id for r in rows]
        assert training.group_size == 4


def test_make_groups_leaves_waiting_participants_out_and_skips_unavailable_members(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        waiting = add_participants(training.id, [("大分市", "worker")], status="waiting")[0]
        busy = db.session.scalar(db.select(TeamMember).filter_by(name="チーム員0"))
        db.session.add(MemberUnavailable(member_id=busy.id, day=training.first_date))
        db.session.commit()

        groups.make(training, 4)

        assert db.session.get(Participant, waiting).group_no is None
        members = {r.member_id for r in db.session.scalars(db.select(GroupFacilitator))}
        assert busy.id not in members
        view = groups.overview(training)
        assert "ファシリテーターを担当できるチーム員が2名で班は3つのため、1つの班にファシリテーターがいません。" \
            in view.grouping.explanations


def test_pin_holds_when_groups_are_made_again(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        groups.make(training, 4)
        someone = world.participants[0]
        target = 3 if db.session.get(Participant, someone).group_no != 3 else 2

        groups.pin(training, someone, target)
        groups.make(training, 4)

        assert db.session.get(Participant, someone).group_no == target
        view = groups.overview(training)
        assert view.notes == []
        assert view.grouping.cost.same_municipality == 0


def test_keep_apart_is_kept_and_refused_twice(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        first, second = world.participants[10], world.participants[11]
        groups.pin(training, first, None)
        groups.make(training, 4)
        groups.pin(training, first, 1)
        groups.pin(training, second, 1)
        groups.add_keep_apart(training, first, second)

        with pytest.raises(ChangeRefused) as refused:
            groups.add_keep_apart(training, second, first)
        groups.make(training, 4)
        view = groups.overview(training)

        assert "すでに別の班にする指定です" in refused.value.messages[0]
        assert db.session.scalar(db.select(db.func.count()).select_from(KeepApart)) == 1
        assert view.grouping.cost.keep_apart == 1
        assert any("ふたりとも同じ班に固定されているため第1班で一緒です" in n for n in view.grouping.explanations)
        groups.pin(training, second, None)
        groups.make(training, 4)
        assert groups.overview(training).grouping.cost.keep_apart == 0


def test_pin_to_a_missing_group_and_other_trainings_participants_are_refused(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        other = add_participants(world.trainings["chief"], [("大分市", "worker")])[0]

        with pytest.raises(ChangeRefused) as before:
            groups.pin(training, world.participants[0], 1)
        groups.make(training, 4)
        with pytest.raises(ChangeRefused) as missing:
            groups.pin(training, world.participants[0], 4)
        with pytest.raises(ChangeRefused) as foreign:
            groups.pin(training, other, 1)

        assert before.value.messages == ["先に「班を作る」で班を作ってください。"]
        assert missing.value.messages == ["第4班はありません（班は3つです）。"]
        assert foreign.value.messages == ["その参加者はこの研修にいません。"]


def test_set_facilitator_by_hand_and_one_group_per_member(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        groups.make(training, 4)
        rows = db.session.scalars(db.select(GroupFacilitator).order_by(GroupFacilitator.group_no)).all()
        first, second = rows[0].member_id, rows[1].member_id

        groups.set_facilitator(training, 1, None)
        with pytest.raises(ChangeRefused) as taken:
            groups.set_facilitator(training, 3, second)
        groups.set_facilitator(training, 1, first)

        assert "第2班のファシリテーターです" in taken.value.messages[0]
        assert db.session.scalar(db.select(GroupFacilitator.member_id).filter_by(group_no=1)) == first


def test_a_participant_accepted_after_grouping_asks_to_make_groups_again(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        groups.make(training, 4)
        late = add_participants(training.id, [("竹田市", "worker")])[0]

        view = groups.overview(training)

        assert [p.id for p in view.ungrouped] == [late]
        assert view.grouping is None
        assert view.notes == ["班を作った後に参加者が変わりました。もう一度「班を作る」を押してください。"]


def test_make_groups_refuses_a_bad_size_and_no_participants(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        empty = db.session.get(Training, world.trainings["chief"])

        with pytest.raises(ChangeRefused) as size:
            groups.make(training, 1)
        with pytest.raises(ChangeRefused) as nobody:
            groups.make(empty, 6)

        assert size.value.messages == ["班の人数は2〜20名にしてください。"]
        assert nobody.value.messages == ["受講決定の参加者がいないため、班を作れません。"]


def test_groups_page_makes_groups_and_downloads_the_files(client, app, world):
    login(client, OITA_OFFICIAL)
    training_id = world.trainings["common"]

    page = client.get(f"/trainings/{training_id}/groups")
    made = client.post(f"/trainings/{training_id}/groups/make", data={"group_size": "4"})
    shown = client.get(f"/trainings/{training_id}/groups")
    docx = client.get(f"/trainings/{training_id}/groups.docx")
    xlsx = client.get(f"/trainings/{training_id}/groups.xlsx")

    assert page.status_code == 200 and "班を作る" in page.get_data(as_text=True)
    assert made.status_code == 303
    html = shown.get_data(as_text=True)
    assert "第3班" in html and "3つの班を作りました。" in html
    with app.app_context():
        names = {p.id: (p.name, p.group_no) for p in db.session.scalars(db.select(Participant))}
        facilitators = {r.group_no: r.member.name for r in db.session.scalars(db.select(GroupFacilitator))}
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert f"第1班（4名）　ファシリテーター：{facilitators[1]}" in text
    tables = Document(io.BytesIO(docx.data)).tables
    assert sorted(row.cells[1].text for t in tables for row in t.rows[1:]) == sorted(n for n, _ in names.values())
    book = load_workbook(io.BytesIO(xlsx.data))
    rows = list(book["班分け"].iter_rows(min_row=4, values_only=True))
    # 班 is a number cell shown as 第1班; the workbook names its creator and title
    assert sorted((r[1], r[0]) for r in rows) == sorted((n, g) for n, g in names.values())
    assert book["班分け"]["A4"].number_format == '"第"0"班"'
    assert book.properties.creator == "伝達研修プランナー" and book.properties.title.startswith("班分け表")
    assert book["注記"]["A2"].value == ("行政・関係機関の参加者が2名で班は3つのため、1つの班は支援員だけになります"
                                      "（これより少なくはできません）。")


def test_groups_page_refuses_bad_input_in_japanese(client, app, world):
    login(client, OITA_OFFICIAL)
    training_id = world.trainings["common"]

    size = client.post(f"/trainings/{training_id}/groups/make", data={"group_size": "abc"})
    pin = client.post(f"/trainings/{training_id}/groups/pin", data={"participant_id": "999999", "group_no": "1"})
    same = client.post(f"/trainings/{training_id}/groups/apart",
                       data={"first_id": world.participants[0], "second_id": world.participants[0]})
    facilitator = client.post(f"/trainings/{training_id}/groups/7/facilitator", data={"g7-member_id": "0"})
    gone = client.post(f"/trainings/{training_id}/groups/apart/999/delete")

    assert size.status_code == 422 and "半角数字で入力してください。" in size.get_data(as_text=True)
    assert pin.status_code == 422 and "一覧から選んでください。" in pin.get_data(as_text=True)
    assert same.status_code == 422 and "ちがう2人を選んでください" in same.get_data(as_text=True)
    assert facilitator.status_code == 422 and "第7班はありません。" in facilitator.get_data(as_text=True)
    assert gone.status_code == 404


def test_groups_page_is_for_officials_of_the_prefecture(client, app, world):
    login(client, OITA_MEMBER)

    member = client.get(f"/trainings/{world.trainings['common']}/groups")

    assert member.status_code == 403


def test_make_groups_waits_for_a_concurrent_change_and_groups_it(app, world):
    """Another writer of the training's participants holds the lock (as a second 「班を作る」
    or an acceptance would) and adds a participant; 「班を作る」 pressed meanwhile waits for it
    and groups that participant too, instead of grouping what it read before."""
    training_id = world.trainings["common"]
    holding, release = threading.Event(), threading.Event()
    errors = []

    def other_writer():
        with app.app_context():
            try:
                groups.lock_training(training_id)
                municipality = db.session.scalar(db.select(Municipality).filter_by(name=TOWNS[0]))
                db.session.add(Participant(training_id=training_id, municipality_id=municipality.id,
                                           name="遅れて 決定", kind="official"))
                db.session.flush()
                holding.set()
                release.wait(30)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    def press():
        with app.app_context():
            try:
                groups.make(db.session.get(Training, training_id), 4)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    writer = threading.Thread(target=other_writer)
    writer.start()
    assert holding.wait(30)
    presser = threading.Thread(target=press)
    presser.start()
    presser.join(0.5)  # give it the time to read, were it not waiting for the lock
    release.set()
    writer.join()
    presser.join()

    with app.app_context():
        view = groups.overview(db.session.get(Training, training_id))
        late = db.session.scalar(db.select(Participant).filter_by(name="遅れて 決定"))
        assert errors == []
        assert view.ungrouped == [] and late.group_no is not None
        assert sum(len(g.members) for g in view.groups) == len(world.participants) + 1


def test_groups_docx_renders_with_every_group_on_one_page(app, tmp_path, artifacts):
    """LibreOffice -> PDF: A4, every participant's name, and no group split over two pages."""
    soffice = require("soffice", "the 班分け表 is checked by converting it with LibreOffice")
    require_fonts("the 班分け表 is Japanese")
    with app.app_context():
        world = make_oita()
        spec = [(TOWNS[i % 6], ["worker", "worker", "official", "agency"][i % 4]) for i in range(40)]
        add_participants(world.trainings["common"], spec)
        add_members(world.plan, 5)
        training = db.session.get(Training, world.trainings["common"])
        groups.make(training, 6)
        names = [p.name for p in groups.accepted_participants(training)]
        (tmp_path / "groups.docx").write_bytes(groups_docx(training))
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "groups.docx")],
                   check=True, capture_output=True, timeout=240)
    pdf = str(tmp_path / "groups.pdf")
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, text=True, timeout=120).stdout

    pages = run(require("pdftotext"), "-layout", pdf, "-").split("\f")[:-1]
    info = run(require("pdfinfo"), pdf)
    run(require("pdftoppm"), "-r", "60", "-png", pdf, str(artifacts / "groups-docx"))

    assert "(A4)" in next(line for line in info.splitlines() if line.startswith("Page size:"))
    text = "".join("\n".join(pages).split())  # the layout spaces words apart
    assert [name for name in names if "".join(name.split()) not in text] == []
    for page in pages:
        for number in range(1, 8):
            if f"第{number}班（" in page:
                heading_line = next(line for line in page.splitlines() if f"第{number}班（" in line)
                count = int(heading_line.split("（")[1].split("名")[0])
                rows_after = page.split(heading_line)[1].splitlines()
                numbered = [line for line in rows_after if line.strip()[:1].isdigit()]
                assert len(numbered) >= count, f"第{number}班 continues on the next page"


def test_demo_groups_the_trainings_that_have_participants(app):
    from planner.services.demo import load_demo

    with app.app_context():
        load_demo()  # its participants apply for the common training; the demo then groups them
        plan = db.session.scalar(db.select(Plan))
        common = next(t for t in plan.trainings if t.curriculum_key == "common")
        accepted = len(groups.accepted_participants(common))

        made = {t.curriculum_key: len(groups.overview(t).groups) for t in plan.trainings}
        assert accepted > common.group_size
        # the demo's local training (地域の実情に応じた研修) has no participants yet
        assert made == {"common": math.ceil(accepted / common.group_size), "counselor": 0, "chief": 0,
                        "job_support": 0, "local": 0}
        assert groups.overview(common).grouping is not None
