"""Settling a case file at once (planner.services.materials.anonymise): the replacement table, one new
version, the earlier versions destroyed, nothing replaced shown again, and who may read an
unsettled case file."""
from __future__ import annotations

import io

import docx
import pytest

from planner.models import CheckFinding, Material, MaterialVersion, TeamMember, Training
from planner.models.db import db
from planner.services.backup.plan import dump_plan
from planner.services.errors import ChangeRefused
from planner.services.materials import anonymise
from planner.services.materials import files as materials
from planner.services.materials.demo import docx_bytes
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_member, make_oita

CASE = ("令和9年6月10日、佐々木 蓮さん（34歳）が、かわべハイツ201号室から来所した。",
        "母の佐々木 恵美さん、弟の佐々木 颯さん、民生委員の岡田さんと話した。",
        "蓮さんの連絡先は ren.sasaki88@example.ne.jp。東京都新宿区の株式会社かわべ運送を退職した。",
        "恵美さんは、かわべ中央病院に通う。川辺町に住む。")
ORIGINALS = ("佐々木", "蓮", "恵美", "颯", "岡田", "ren.sasaki88", "かわべ", "201号室", "新宿", "令和9年6月10日",
             "川辺町")
REPORTER = "reporter@oita.example.jp"


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def _case(world, by_email: str = REPORTER) -> Material:
    subject = db.session.get(Training, world.trainings["common"]).subjects[2]
    material = materials.add_material(subject, "事例", "case", True, "報告者", materials.Upload("事例.docx", docx_bytes(*CASE)),
                                      by_email=by_email)
    db.session.commit()
    return material


def _accept_all(material: Material) -> dict[int, str]:
    check = materials.current_check(material)
    return check.id, {row.number: row.suggestion for row in anonymise.table(check)}


def test_the_table_gives_each_person_one_letter_and_places_keep_their_kind(app):
    with app.app_context():
        material = _case(make_oita())

        rows = {row.text: row for row in anonymise.table(materials.current_check(material))}

        people = {t: rows[t].suggestion for t in ("佐々木 蓮", "蓮", "佐々木 恵美", "恵美", "佐々木 颯", "岡田")}
        assert people["佐々木 蓮"] == people["蓮"]
        assert people["佐々木 恵美"] == people["恵美"]
        assert len({people["佐々木 蓮"], people["佐々木 恵美"], people["佐々木 颯"], people["岡田"]}) == 4
        assert all(s.endswith("氏") for s in people.values())
        assert rows["東京都新宿区"].suggestion.endswith("区") and "都" in rows["東京都新宿区"].suggestion
        assert rows["川辺町"].suggestion.endswith("町")
        assert rows["株式会社かわべ運送"].suggestion.startswith("株式会社")
        assert rows["かわべ中央病院"].suggestion.endswith("病院")
        assert rows["ren.sasaki88@example.ne.jp"].kind == "email"
        assert rows["かわべハイツ201号室"].kind == "building"
        assert rows["蓮"].count == 1 and rows["恵美"].count == 1


def test_settling_everything_writes_one_version_and_destroys_the_earlier_ones(app):
    with app.app_context():
        material = _case(make_oita())
        first = material.latest
        check_id, answers = _accept_all(material)

        version = anonymise.settle_all(material, check_id, answers, "報告者", REPORTER)
        db.session.commit()
        db.session.expire_all()
        material = db.session.get(Material, material.id)
        old = material.versions[0]
        stored = db.session.execute(db.select(MaterialVersion.data).where(MaterialVersion.id == first.id)).scalar()
        text = _text(materials.version_bytes(material.latest))
        strings = db.session.execute(db.select(CheckFinding.text, CheckFinding.context)
                                     .where(CheckFinding.check_id == check_id)).all()

        assert [v.number for v in material.versions] == [1, 2] and version.number == 2
        assert stored == b"" and old.size == 0 and old.sha256 == "" and old.destroyed_by == "報告者"
        assert old.destroyed_at is not None
        with pytest.raises(ChangeRefused):
            materials.version_bytes(old)
        assert [o for o in ORIGINALS if o in text] == []
        assert "さんAさん" not in text and "Aさん" in text and "A氏さん" not in text
        assert all(t == "" and c == "" for t, c in strings)
        assert all(f.settled_by == "報告者" and f.settled_at for f in old.check.findings)
        assert materials.can_share(material)
        assert [o for o in ORIGINALS if o in (version.note or "")] == []


def test_the_backup_carries_no_destroyed_file_and_no_replaced_string(app):
    with app.app_context():
        world = make_oita()
        material = _case(world)
        check_id, answers = _accept_all(material)
        anonymise.settle_all(material, check_id, answers, "報告者", REPORTER)
        db.session.commit()

        text = dump_plan(db.session.get(Training, world.trainings["common"]).plan)

        assert [o for o in ORIGINALS if o in text] == []
        assert '"destroyed_by": "報告者"' in text


def test_the_history_shows_kinds_and_counts_and_never_the_strings(app, client):
    with app.app_context():
        material = _case(make_oita())
        check_id, answers = _accept_all(material)
        anonymise.settle_all(material, check_id, answers, "報告者", REPORTER)
        db.session.commit()
        material_id, training_id = material.id, material.subject.training_id
    login(client, OITA_OFFICIAL)

    findings = client.get(f"/materials/{material_id}/findings").get_data(as_text=True)
    listing = client.get(f"/trainings/{training_id}/materials").get_data(as_text=True)

    assert "ファイル削除済み" in findings and "人名" in findings and "確定: 報告者" in findings
    assert [o for o in ORIGINALS if o in findings + listing] == []


def test_every_row_must_be_answered_and_a_replacement_may_not_keep_the_original(app):
    with app.app_context():
        material = _case(make_oita())
        check_id, answers = _accept_all(material)
        first = dict(list(answers.items())[1:])
        keeping = {**answers, 1: answers[1] + "佐々木 蓮"}

        with pytest.raises(ChangeRefused) as missing:
            anonymise.settle_all(material, check_id, first, "報告者")
        db.session.rollback()
        with pytest.raises(ChangeRefused) as kept:
            anonymise.settle_all(material, check_id, keeping, "報告者")
        db.session.rollback()
        with pytest.raises(ChangeRefused) as stale:
            anonymise.settle_all(material, check_id + 99, answers, "報告者")

        assert "1行目" in str(missing.value)
        assert "元の文字が残っています" in str(kept.value)
        assert "最新の版のものではありません" in str(stale.value)
        assert len(db.session.get(Material, material.id).versions) == 1


def test_all_false_alarms_write_no_version(app):
    with app.app_context():
        material = _case(make_oita())
        check_id, answers = _accept_all(material)

        version = anonymise.settle_all(material, check_id, dict.fromkeys(answers), "報告者")
        db.session.commit()

        assert version is None and len(material.versions) == 1
        assert material.latest.destroyed_at is None and materials.can_share(material)


def test_an_unsettled_case_file_is_read_by_its_uploader_and_the_official_only(app, client):
    with app.app_context():
        world = make_oita()
        training = db.session.get(Training, world.trainings["common"])
        training.plan.members.append(TeamMember(name="チーム員", municipality="大分市", municipality_kind="core_city",
                                                email=OITA_MEMBER))
        reporter = make_member(training.plan.prefecture, REPORTER)
        training.plan.members.append(TeamMember(name="報告者", municipality="別府市", municipality_kind="other",
                                                email=reporter.email))
        material = _case(world)
        material_id = material.id
    answers = {}
    for who in (OITA_MEMBER, REPORTER, OITA_OFFICIAL):
        client.get("/logout")
        login(client, who)
        download = client.get(f"/materials/{material_id}/versions/1/download")
        page = client.get(f"/materials/{material_id}/findings").get_data(as_text=True)
        answers[who] = (download.status_code, "佐々木" in page)
    with app.app_context():
        check_id, table = _accept_all(db.session.get(Material, material_id))
    settle = client.post(f"/materials/{material_id}/findings/settle", data={
        "check": str(check_id), **{f"action-{n}": "replace" for n in table}, **{f"text-{n}": t for n, t in table.items()}})
    after = {}
    for who in (OITA_MEMBER, REPORTER, OITA_OFFICIAL):
        client.get("/logout")
        login(client, who)
        after[who] = (client.get(f"/materials/{material_id}/versions/1/download").status_code,
                      client.get(f"/materials/{material_id}/versions/2/download").status_code)

    assert answers == {OITA_MEMBER: (403, False), REPORTER: (200, True), OITA_OFFICIAL: (200, True)}
    assert settle.status_code == 302
    assert after == {OITA_MEMBER: (410, 200), REPORTER: (410, 200), OITA_OFFICIAL: (410, 200)}


def test_a_settle_form_with_an_empty_replacement_answers_422_with_the_table_filled(app, client):
    with app.app_context():
        material = _case(make_oita())
        material_id = material.id
        check_id, table = _accept_all(material)
    login(client, OITA_OFFICIAL)

    response = client.post(f"/materials/{material_id}/findings/settle", data={
        "check": str(check_id), **{f"action-{n}": "replace" for n in table},
        **{f"text-{n}": ("" if n == 2 else t) for n, t in table.items()}})

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2行目" in body and "置き換える文字を入れてください" in body
    assert f'value="{table[1]}"' in body
    with app.app_context():
        assert len(db.session.get(Material, material_id).versions) == 1


def test_the_delete_confirmation_counts_versions_in_japanese(app, client):
    with app.app_context():
        material = _case(make_oita())
        material_id = material.id
    login(client, OITA_OFFICIAL)

    page = client.get(f"/materials/{material_id}/delete").get_data(as_text=True)

    assert "1個の版のファイル" in page and "つの版" not in page
