"""Materials: versions, files judged by content and refused whole, due dates and lateness, the
anonymity check of case material and its settlement, and what the training zip carries."""
from __future__ import annotations

import base64
import io
import json
import os
import threading
import zipfile
from datetime import date, timedelta

import docx
import pytest
from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from exports import files
from planner.models import AnonymityCheck, CheckFinding, Material, MaterialVersion, Plan, TeamMember, Training
from planner.models.db import db
from planner.services.backup.materials import material_section
from planner.services.backup.plan import BackupError, dump_plan, export_plan, load_plan
from planner.services.errors import ChangeRefused
from planner.services.materials import anonymise
from planner.services.materials import files as materials
from planner.services.materials.demo import docx_bytes
from planner.services.team.roles import assign_slot
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, PASSWORD, login, make_oita, make_prefecture
from tests.http_clients import logged_in_session

CASE_TEXT = "相談者の山田太郎さん（45歳）は、令和6年4月1日に窓口を訪れた。"


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _subject(world, letter: str = "C"):
    return db.session.get(Training, world.trainings["common"]).subjects[
        [s.letter for s in db.session.get(Training, world.trainings["common"]).subjects].index(letter)]


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_a_new_file_is_a_new_version_with_its_japanese_name_and_digest(app):
    with app.app_context():
        world = make_oita()
        first, second = docx_bytes("第1版の本文"), docx_bytes("第2版の本文")

        material = materials.add_material(_subject(world), "講義スライド", "slides", False, "担当職員",
                                          materials.Upload("C:\\fakepath\\講義資料_第1版.docx", first))
        materials.add_version(material, materials.Upload("講義資料_第2版.docx", second), "佐藤")
        db.session.commit()

        assert [(v.number, v.file_name, v.uploaded_by) for v in material.versions] == [
            (1, "講義資料_第1版.docx", "担当職員"), (2, "講義資料_第2版.docx", "佐藤")]
        assert materials.version_bytes(material.latest) == second
        assert material.latest.kind == "docx"
        assert material.latest.size == len(second)
        assert material.status == "drafting"


BAD_FILES = {
    "a renamed Windows executable": ("資料.docx", b"MZ\x90\x00" + b"\x00" * 2000, "実行ファイル"),
    "a renamed ELF executable": ("資料.docx", b"\x7fELF\x02\x01\x01" + b"\x00" * 2000, "実行ファイル"),
    "a corrupt .docx": ("資料.docx", docx_bytes("本文")[:3000], ""),
    "an encrypted PDF": ("資料.pdf", encrypted_pdf(), "暗号化"),
    "an oversized file": ("資料.docx", docx_bytes("本文" * 10000), "大きすぎます"),
    "an empty file": ("資料.docx", b"", "空です"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_refused_and_nothing_is_stored(app, name):
    file_name, data, message = BAD_FILES[name]
    with app.app_context():
        world = make_oita()
        material = materials.add_material(_subject(world), "ワークシート", "worksheet", False, "担当職員")
        db.session.commit()
        limit = 20_000 if name == "an oversized file" else materials.MAX_BYTES
        assert name != "an oversized file" or len(data) > limit

        with pytest.raises(ChangeRefused) as refused:
            materials.add_version(material, materials.Upload(file_name, data), "担当職員", limit)
        db.session.rollback()
        with pytest.raises(ChangeRefused):
            materials.add_material(_subject(world), "別の資料", "slides", False, "担当職員",
                                   materials.Upload(file_name, data), limit)
        db.session.rollback()

        assert message in str(refused.value)
        assert _count(MaterialVersion) == 0
        assert _count(Material) == 1


def test_a_file_whose_name_says_another_kind_is_refused(app):
    with app.app_context():
        world = make_oita()
        material = materials.add_material(_subject(world), "ワークシート", "worksheet", False, "担当職員")

        with pytest.raises(ChangeRefused) as refused:
            materials.add_version(material, materials.Upload("資料.pdf", docx_bytes("本文")), "担当職員")

        assert "Word（.docx）" in str(refused.value)


def test_materials_are_due_before_the_training_and_late_when_unfinished_after_it(app):
    with app.app_context():
        world = make_oita()
        training = db.session.get(Training, world.trainings["common"])
        subject = _subject(world)
        unfinished = materials.add_material(subject, "スライド", "slides", False, "職員")
        finished = materials.add_material(subject, "ワークシート", "worksheet", False, "職員",
                                          materials.Upload("ws.docx", docx_bytes("本文")))
        materials.set_status(finished, "done")
        own_due = materials.add_material(subject, "配布資料", "other", False, "職員")
        materials.set_due(own_due, training.first_date - timedelta(days=3))
        default_due = training.first_date - timedelta(days=materials.DEFAULT_DUE_DAYS)

        by_default = materials.due_of(unfinished)
        on_the_day = materials.late_materials(training, default_due)
        after = materials.late_materials(training, default_due + timedelta(days=1))
        training.materials_deadline = training.first_date - timedelta(days=30)

        assert by_default == default_due
        assert on_the_day == []
        assert after == [unfinished]
        assert materials.due_of(unfinished) == training.first_date - timedelta(days=30)
        assert materials.due_of(own_due) == training.first_date - timedelta(days=3)


def test_the_owner_is_the_material_preparer_unless_chosen(app):
    with app.app_context():
        world = make_oita()
        subject = _subject(world)
        plan = subject.training.plan
        preparer = TeamMember(plan=plan, name="佐藤花子", municipality="大分市", municipality_kind="core_city",
                              email="hanako@oita.example.jp")
        other = TeamMember(plan=plan, name="鈴木一郎", municipality="別府市", municipality_kind="other",
                           email="ichiro@oita.example.jp")
        db.session.add_all([preparer, other])
        db.session.flush()
        slot = next(s for s in subject.training.slots if s.subject_id == subject.id and s.kind == "material_preparer")
        assign_slot(slot, preparer)
        material = materials.add_material(subject, "スライド", "slides", False, "職員")

        by_default = materials.owner_of(material)
        materials.set_owner(material, other)

        assert by_default == preparer
        assert materials.owner_of(material) == other


def test_a_case_file_is_blocked_until_its_findings_are_settled(app):
    with app.app_context():
        world = make_oita()
        material = materials.add_material(_subject(world), "事例", "case", False, "佐藤",
                                          materials.Upload("事例.docx", docx_bytes(CASE_TEXT)))
        db.session.commit()
        check = materials.current_check(material)
        findings = {f.text: f for f in check.findings}
        blocked_at_first = materials.can_share(material)

        version = materials.replace_findings(material, {findings["山田太郎"].id: "A氏"}, "佐藤")
        db.session.commit()
        for finding in materials.open_findings(material):
            materials.mark_false_alarm(finding, "田中")
        db.session.commit()

        assert material.is_case and check.checked_by == "佐藤"
        assert "山田太郎" in findings
        assert blocked_at_first is False
        assert findings["山田太郎"].status == "replaced"
        assert (findings["山田太郎"].settled_by, findings["山田太郎"].replacement) == ("佐藤", "A氏")
        assert findings["山田太郎"].settled_at is not None
        assert version.number == 2 and "山田太郎" not in docx_text(materials.version_bytes(version))
        assert "A氏" in docx_text(materials.version_bytes(version))
        assert version.check is not None
        assert all(f.status == "false_alarm" and f.settled_by == "田中" for f in version.check.findings)
        assert materials.can_share(material) is True


def test_a_false_alarm_stays_settled_in_the_next_version(app):
    with app.app_context():
        world = make_oita()
        material = materials.add_material(_subject(world), "事例", "worksheet", True, "佐藤",
                                          materials.Upload("事例.docx", docx_bytes(CASE_TEXT)))
        for finding in materials.open_findings(material):
            materials.mark_false_alarm(finding, "田中")
        db.session.commit()

        materials.add_version(material, materials.Upload("事例.docx", docx_bytes(CASE_TEXT, "追記した段落。")), "佐藤")
        db.session.commit()

        assert len(material.versions) == 2
        assert material.latest.check.findings
        assert materials.open_findings(material) == []
        assert materials.can_share(material)


def test_a_settled_finding_cannot_be_settled_again(app):
    with app.app_context():
        world = make_oita()
        material = materials.add_material(_subject(world), "事例", "case", True, "佐藤",
                                          materials.Upload("事例.docx", docx_bytes(CASE_TEXT)))
        finding = materials.open_findings(material)[0]
        materials.mark_false_alarm(finding, "田中")

        with pytest.raises(ChangeRefused) as refused:
            materials.replace_findings(material, {finding.id: "A氏"}, "佐藤")

        assert "すでに対応済み" in str(refused.value)


def test_suggestions_count_per_kind_and_repeat_for_the_same_text(app):
    with app.app_context():
        world = make_oita()
        material = materials.add_material(
            _subject(world), "事例", "case", True, "佐藤",
            materials.Upload("事例.docx", docx_bytes("山田太郎さんと鈴木花子が話した。", "山田太郎さんは帰った。")))
        check = materials.current_check(material)

        suggested = anonymise.suggestions(check)
        by_text = {}
        for finding in check.findings:
            by_text.setdefault(finding.text, set()).add(suggested[finding.id])

        # one letter per person (the table writes Aさん before さん, A氏 elsewhere: test_anonymise)
        assert by_text["山田太郎"] == {"A氏"}
        assert by_text["鈴木花子"] == {"B氏"}


def _training_zip(training: Training) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(files.zip_bytes(files.material_files(training))))
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_carries_final_versions_and_no_unsettled_case(app):
    with app.app_context():
        world = make_oita()
        subject = _subject(world)
        slides = materials.add_material(subject, "スライド", "slides", False, "職員",
                                        materials.Upload("講義スライド.docx", docx_bytes("第1版")))
        materials.add_version(slides, materials.Upload("講義スライド.docx", docx_bytes("最終版")), "職員")
        materials.set_status(slides, "done")
        case = materials.add_material(subject, "事例", "case", True, "職員",
                                      materials.Upload("事例.docx", docx_bytes(CASE_TEXT)))
        materials.set_status(case, "done")
        materials.add_material(subject, "ワークシート", "worksheet", False, "職員",
                               materials.Upload("ワークシート.docx", docx_bytes("作成中")))
        db.session.commit()

        blocked = _training_zip(subject.training)
        for finding in materials.open_findings(case):
            materials.mark_false_alarm(finding, "職員")
        settled = _training_zip(subject.training)

        assert sorted(blocked) == ["資料/C_講義スライド.docx", "資料/入れていない資料.txt"]
        assert docx_text(blocked["資料/C_講義スライド.docx"]) == "最終版"
        note = blocked["資料/入れていない資料.txt"].decode()
        assert "「事例」: 匿名化の確認が終わるまで共有できません" in note
        assert "「ワークシート」: まだ完了していない" in note
        assert "資料/C_事例.docx" in settled


def test_the_training_zip_download_carries_the_materials(app, client):
    with app.app_context():
        world = make_oita()
        material = materials.add_material(_subject(world), "スライド", "slides", False, "職員",
                                          materials.Upload("講義スライド.docx", docx_bytes("本文")))
        materials.set_status(material, "done")
        db.session.commit()
    login(client, OITA_OFFICIAL)

    response = client.get(f"/trainings/{world.trainings['common']}/export.zip")

    assert "資料/C_講義スライド.docx" in zipfile.ZipFile(io.BytesIO(response.data)).namelist()


# --------------------------------------------------------------------------- the pages

def _material(world, is_case: bool = False, data: bytes | None = None) -> int:
    material = materials.add_material(_subject(world), "事例ワークシート", "worksheet", is_case, "職員",
                                      materials.Upload("事例_第1版.docx", data or docx_bytes(CASE_TEXT)))
    db.session.commit()
    return material.id


def test_an_upload_of_an_executable_answers_422_and_stores_nothing(app, client):
    with app.app_context():
        world = make_oita()
        material_id = _material(world)
    login(client, OITA_OFFICIAL)

    response = client.post(f"/materials/{material_id}/versions", data={
        f"m{material_id}v-file": (io.BytesIO(b"MZ" + b"\x00" * 500), "報告書.docx")},
        content_type="multipart/form-data")

    assert response.status_code == 422
    assert "実行ファイルは登録できません" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(MaterialVersion) == 1


def test_an_upload_over_the_limit_answers_422_and_stores_nothing(app, client):
    app.config["MATERIAL_MAX_BYTES"] = 30_000
    with app.app_context():
        world = make_oita()
        material_id = _material(world)
    login(client, OITA_OFFICIAL)

    response = client.post(f"/materials/{material_id}/versions", data={
        f"m{material_id}v-file": (io.BytesIO(docx_bytes("本文" * 20000)), "大きな資料.docx")},
        content_type="multipart/form-data")

    assert response.status_code in (413, 422)
    assert "大きすぎます" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(MaterialVersion) == 1


def test_a_file_larger_than_the_apps_form_limit_but_within_the_material_limit_is_taken(app, client):
    with app.app_context():
        world = make_oita()
        material_id = _material(world)
    login(client, OITA_OFFICIAL)
    padded = io.BytesIO()  # a real .docx carrying 3 MB of pictures' worth of bytes
    with zipfile.ZipFile(io.BytesIO(docx_bytes("本文"))) as source, zipfile.ZipFile(padded, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("word/media/padding.bin", os.urandom(3 * 1024 * 1024))
    data = padded.getvalue()
    assert app.config["MAX_CONTENT_LENGTH"] < len(data) < app.config["MATERIAL_MAX_BYTES"]

    # encoded here in memory: the test client would spool a body this large to a file it never closes
    boundary, body = encode_multipart({f"m{material_id}v-file": FileStorage(io.BytesIO(data), "資料.docx")})

    response = client.post(f"/materials/{material_id}/versions", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")

    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Material, material_id).latest.size == len(data)


def test_the_download_keeps_the_japanese_name(app, client):
    with app.app_context():
        world = make_oita()
        material_id = _material(world)
    login(client, OITA_OFFICIAL)

    response = client.get(f"/materials/{material_id}/versions/1/download")

    assert response.status_code == 200
    assert "filename*=UTF-8''%E4%BA%8B%E4%BE%8B_%E7%AC%AC1%E7%89%88.docx" in response.headers["Content-Disposition"]
    assert docx_text(response.data) == CASE_TEXT


def test_a_member_without_the_subjects_slot_cannot_upload_nor_download_an_unsettled_case(app, client):
    with app.app_context():
        world = make_oita()
        subject = _subject(world)
        subject.training.plan.members.append(TeamMember(
            name="チーム員", municipality="大分市", municipality_kind="core_city", email=OITA_MEMBER))
        material_id = _material(world, is_case=True)
    login(client, OITA_MEMBER)

    page = client.get(f"/trainings/{world.trainings['common']}/materials")
    upload = client.post(f"/materials/{material_id}/versions", data={
        f"m{material_id}v-file": (io.BytesIO(docx_bytes("本文")), "資料.docx")}, content_type="multipart/form-data")
    download = client.get(f"/materials/{material_id}/versions/1/download")
    findings = client.get(f"/materials/{material_id}/findings").get_data(as_text=True)

    assert "未対応" in findings and "山田太郎" not in findings
    assert page.status_code == 200
    assert "匿名化の確認が終わるまで共有できません" in page.get_data(as_text=True)
    assert upload.status_code == 403
    assert download.status_code == 403
    assert "匿名化の確認が終わるまで共有できません" in download.get_data(as_text=True)


def test_a_member_holding_the_subjects_slot_uploads_and_sets_the_status(app, client):
    with app.app_context():
        world = make_oita()
        subject = _subject(world)
        member = TeamMember(plan=subject.training.plan, name="チーム員", municipality="大分市",
                            municipality_kind="core_city", email=OITA_MEMBER)
        db.session.add(member)
        db.session.flush()
        slot = next(s for s in subject.training.slots if s.subject_id == subject.id and s.kind == "material_preparer")
        assign_slot(slot, member)
        db.session.commit()
        material_id = _material(world)
    login(client, OITA_MEMBER)

    upload = client.post(f"/materials/{material_id}/versions", data={
        f"m{material_id}v-file": (io.BytesIO(docx_bytes("本文")), "資料.docx")}, content_type="multipart/form-data")
    status = client.post(f"/materials/{material_id}/status", data={f"m{material_id}s-status": "review"})

    assert (upload.status_code, status.status_code) == (302, 302)
    with app.app_context():
        material = db.session.get(Material, material_id)
        assert (len(material.versions), material.status, material.latest.uploaded_by) == (2, "review", "チーム員")


def test_the_official_sets_the_owner_and_due_date_and_a_name_off_the_list_is_refused(app, client):
    with app.app_context():
        world = make_oita()
        material_id = _material(world)
        other = TeamMember(plan=db.session.get(Plan, world.plan), name="鈴木一郎", municipality="別府市",
                           municipality_kind="other", email="ichiro@oita.example.jp")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    login(client, OITA_OFFICIAL)
    url, prefix = f"/materials/{material_id}/owner", f"m{material_id}o"

    refused = client.post(url, data={f"{prefix}-owner_id": str(other_id + 1000), f"{prefix}-due_on": "2026-02-01"})
    with app.app_context():
        before = db.session.get(Material, material_id)
        unchanged = (before.owner_id, before.due_on)
    saved = client.post(url, data={f"{prefix}-owner_id": str(other_id), f"{prefix}-due_on": "2026-02-01"})

    assert refused.status_code == 422 and "一覧から選んでください。" in refused.get_data(as_text=True)
    assert unchanged == (None, None)
    assert saved.status_code == 302 and saved.location.endswith(f"#material-{material_id}")
    with app.app_context():
        material = db.session.get(Material, material_id)
        assert (material.owner_id, material.due_on) == (other_id, date(2026, 2, 1))


def test_the_training_page_lists_what_is_late(app, client):
    with app.app_context():
        world = make_oita()
        _material(world)
        training = db.session.get(Training, world.trainings["common"])
        training.materials_deadline = date.today() - timedelta(days=1)
        db.session.commit()
    login(client, OITA_OFFICIAL)

    timetable = client.get(f"/trainings/{world.trainings['common']}").get_data(as_text=True)
    page = client.get(f"/trainings/{world.trainings['common']}/materials").get_data(as_text=True)

    assert "締切を過ぎている資料" in timetable and "事例ワークシート" in timetable
    assert "過ぎています" in page


def test_two_uploads_at_once_get_distinct_version_numbers(app, live_server):
    with app.app_context():
        world = make_oita()
        material_id = _material(world)
    senders = 4
    sessions = [logged_in_session(live_server, OITA_OFFICIAL, PASSWORD) for _ in range(senders)]
    start = threading.Barrier(senders)
    results = [None] * senders

    def send(index: int) -> None:
        session, token = sessions[index]
        start.wait()
        response = session.post(f"{live_server}/materials/{material_id}/versions", allow_redirects=False,
                                data={"csrf_token": token},
                                files={f"m{material_id}v-file": (f"資料{index}.docx", docx_bytes(f"送信{index}"))})
        results[index] = response.status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [302] * senders
    with app.app_context():
        numbers = sorted(v.number for v in db.session.get(Material, material_id).versions)
        assert numbers == list(range(1, senders + 2))
        assert _count(AnonymityCheck) == 0 and _count(CheckFinding) == 0


# --------------------------------------------------------------------------- the JSON backup

def _materials_world():
    world = make_oita()
    subject = _subject(world)
    owner = TeamMember(plan=subject.training.plan, name="佐藤花子", municipality="大分市",
                       municipality_kind="core_city", email="hanako@oita.example.jp")
    db.session.add(owner)
    slides = materials.add_material(subject, "スライド", "slides", False, "職員",
                                    materials.Upload("講義スライド.docx", docx_bytes("本文")))
    materials.set_owner(slides, owner)
    materials.set_due(slides, date(2026, 2, 1))
    case = materials.add_material(subject, "事例", "case", True, "佐藤",
                                  materials.Upload("事例.docx", docx_bytes(CASE_TEXT)))
    findings = materials.open_findings(case)
    materials.replace_findings(case, {findings[0].id: "A氏"}, "佐藤")
    materials.mark_false_alarm(materials.open_findings(case)[0], "田中")
    db.session.commit()
    return world


def _materials_of(plan) -> list[dict]:
    return [material_section(m) for t in plan.trainings for row in t.subjects for m in row.materials]


def test_the_backup_carries_materials_versions_and_findings(app):
    with app.app_context():
        world = _materials_world()
        plan = db.session.get(Plan, world.plan)
        text = dump_plan(plan)
        other = make_prefecture("別府県")

        restored = load_plan(other, text)
        db.session.commit()

        assert _materials_of(restored) == _materials_of(plan)
        case = next(m for t in restored.trainings for row in t.subjects for m in row.materials if m.is_case)
        slides = next(m for t in restored.trainings for row in t.subjects for m in row.materials if not m.is_case)
        assert [v.check.finding_count for v in case.versions] == [len(v.check.findings) for v in case.versions]
        assert [f.status for f in case.versions[0].check.findings].count("replaced") == 1
        assert "山田太郎" not in docx_text(case.latest.data)
        assert slides.owner.email == "hanako@oita.example.jp" and slides.owner.plan_id == restored.id


def test_a_backup_whose_file_does_not_match_its_digest_is_refused(app):
    with app.app_context():
        world = _materials_world()
        data = export_plan(db.session.get(Plan, world.plan))
        subject = next(s for s in data["plan"]["trainings"][0]["subjects"] if s.get("materials"))
        subject["materials"][0]["versions"][0]["data"] = base64.b64encode(b"MZ" + bytes(100)).decode()

        with pytest.raises(BackupError) as refused:
            load_plan(make_prefecture("別府県"), json.dumps(data))

        assert "SHA-256 と合いません" in str(refused.value)
