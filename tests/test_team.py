"""The planning team: roster CSV, composition advice, slots, claiming, assignment, coverage."""
import io
import re
from datetime import date

import pytest

from planner.models import Plan, RoleSlot, TeamMember
from planner.models.db import db
from planner.services.team.files import HEADER, MemberRow, RosterError, parse_roster, write_roster
from planner.services.team.roles import ClaimRefused, claim_slot, release_slot
from planner.services.team.roster import composition_advice, coverage, roster_rows, save_member, suggest
from tests.factories import login, make_plan, make_prefecture, make_user

GOOD_CSV = ("氏名,所属自治体,自治体の種別,メールアドレス,修了した国研修,参加できない日,備考\r\n"
            "佐藤 健一,あおば市,政令指定都市,sato@aoba.example.jp,前期共通:2023;相談支援員:2024,2026-10-21,\r\n"
            "髙橋 翔,やまなか町,その他の市町村,takahashi@yamanaka.example.jp,就労支援員,,①丸数字と髙も\r\n")


def member_row(name="佐藤 健一", email="sato@aoba.example.jp", kind="designated_city", courses=None,
               unavailable=()):
    return MemberRow(name=name, municipality="あおば市", municipality_kind=kind, email=email,
                     courses=courses or {}, unavailable=list(unavailable))


@pytest.fixture
def plan_id(app):
    """A plan of みどり県 with an official; tests load it in their own app context."""
    with app.app_context():
        prefecture = make_prefecture("みどり県")
        make_user(prefecture, "official@midori.example.jp")
        return make_plan(prefecture).id


# ------------------------------------------------------------------ CSV

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_roster_csv_reads_each_encoding(encoding):
    rows = parse_roster(GOOD_CSV.encode(encoding))

    assert [r.name for r in rows] == ["佐藤 健一", "髙橋 翔"]
    assert rows[0].courses == {"common": 2023, "counselor": 2024}
    assert rows[0].unavailable == [date(2026, 10, 21)]
    assert rows[1].municipality_kind == "other" and rows[1].courses == {"job_support": None}
    assert rows[1].notes == "①丸数字と髙も"


def test_roster_csv_export_is_utf8_with_bom_and_reads_back():
    rows = parse_roster(GOOD_CSV.encode("utf-8"))

    data = write_roster(rows)

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0] == ",".join(HEADER)
    assert parse_roster(data) == rows


@pytest.mark.parametrize("bad, message", [
    (GOOD_CSV.replace("メールアドレス,", ""), "1行目（見出し）に「メールアドレス」の列がありません。"),
    (GOOD_CSV.replace("前期共通:2023", "介護福祉:2023"), "2行目の「修了した国研修」の「介護福祉」は分かりません。"),
    (GOOD_CSV.replace("sato@aoba.example.jp", "sato-at-aoba"), "2行目の「メールアドレス」: 形式が正しくありません。「sato-at-aoba」には「@」がありません"),
    (GOOD_CSV.replace("髙橋 翔", ""), "3行目の「氏名」が空です。"),
    (GOOD_CSV + "佐藤 健一,あおば市,政令指定都市,sato2@aoba.example.jp,,,\r\n", "4行目の「氏名」佐藤 健一（あおば市）は2行目と重複しています。"),
    (GOOD_CSV + "佐藤 花子,あおば市,政令指定都市,SATO@aoba.example.jp,,,\r\n", "4行目の「メールアドレス」sato@aoba.example.jp は2行目と重複しています。"),
    (GOOD_CSV.replace("2026-10-21", "10月21日"), "2行目の「参加できない日」の「10月21日」は日付として読めません"),
    (GOOD_CSV.replace("政令指定都市", "特別区"), "2行目の「自治体の種別」の「特別区」は分かりません。"),
    ("", "ファイルが空です。"),
])
def test_roster_csv_bad_file_is_refused_naming_line_and_field(bad, message):
    with pytest.raises(RosterError) as error:
        parse_roster(bad.encode("utf-8"))

    assert str(error.value).startswith(message)


def test_roster_import_through_web_is_all_or_nothing(app, client, plan_id):
    with app.app_context():
        login(client, "official@midori.example.jp")
    bad = GOOD_CSV + "山田,,その他の市町村,yamada@example.jp,,,\r\n"

    refused = client.post(f"/plans/{plan_id}/team/import",
                          data={"file": (io.BytesIO(bad.encode("cp932")), "名簿.csv")})
    accepted = client.post(f"/plans/{plan_id}/team/import", follow_redirects=True,
                           data={"file": (io.BytesIO(GOOD_CSV.encode("cp932")), "名簿.csv")})

    assert refused.status_code == 422
    assert "4行目の「所属自治体」が空です。" in refused.get_data(as_text=True)
    assert "名簿を取り込みました（追加2人、更新0人）。" in accepted.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(TeamMember.id))) == 2


def test_roster_csv_export_through_web(app, client, plan_id):
    with app.app_context():
        save_member(db.session.get(Plan, plan_id), member_row(courses={"chief": 2024}))
        db.session.commit()
        login(client, "official@midori.example.jp")

    response = client.get(f"/plans/{plan_id}/team.csv")

    assert response.mimetype == "text/csv"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.data.decode("utf-8-sig").splitlines()[1] == \
        "佐藤 健一,あおば市,政令指定都市,sato@aoba.example.jp,主任相談支援員:2024,,"


# ------------------------------------------------------------------ advice and coverage

def test_composition_advice_names_missing_kinds_but_never_blocks(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        save_member(plan, member_row(kind="prefecture"))
        db.session.commit()

        advice = composition_advice(plan)

    assert advice == [
        "政令指定都市のメンバーがいません（県内にある場合は1名加えることを手引きは勧めています）。",
        "中核市のメンバーがいません（県内にある場合は1名加えることを手引きは勧めています）。",
        "小規模自治体（町村など）のメンバーがいません。手引きは小規模自治体も加わることが望ましいとしています。",
        "国研修の修了者がいません。修了者が研修の企画段階から参加し、学んだことを伝えるのが伝達研修の基本です。",
    ]


def test_slots_follow_the_source_roles(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        common = plan.trainings[0]
        kinds = sorted((s.kind, s.subject.letter if s.subject else "") for s in common.slots)

    # lecturer and material preparer per subject, a case reporter where the subject works on
    # cases (common C and D), one timekeeper for the day
    assert kinds.count(("timekeeper", "")) == 1
    assert [k for k in kinds if k[0] == "case_reporter"] == [("case_reporter", "C"), ("case_reporter", "D")]
    assert len([k for k in kinds if k[0] == "lecturer"]) == 6


def test_coverage_lists_open_slots_and_members_without_role(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        a = save_member(plan, member_row())
        save_member(plan, member_row(name="伊藤 直子", email="ito@aoba.example.jp"))
        db.session.commit()
        claim_slot(plan.trainings[0].slots[0], a)

        result = coverage(plan)

        total = sum(len(t.slots) for t in plan.trainings)
        assert result.open_count == total - 1
        assert [m.name for m in result.without_role] == ["伊藤 直子"]


# ------------------------------------------------------------------ claiming

def test_claim_taken_slot_names_the_holder(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        first = save_member(plan, member_row())
        second = save_member(plan, member_row(name="伊藤 直子", email="ito@aoba.example.jp"))
        db.session.commit()
        slot = plan.trainings[0].slots[0]

        claim_slot(slot, first)
        with pytest.raises(ClaimRefused) as refused:
            claim_slot(slot, second)

        assert str(refused.value) == "この役割はすでに佐藤 健一さん（あおば市）が担当しています。"
        assert db.session.get(RoleSlot, slot.id).holder_id == first.id


def test_claim_refuses_two_slots_at_the_same_time(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        member = save_member(plan, member_row())
        db.session.commit()
        common = plan.trainings[0]
        c_lecturer = next(s for s in common.slots if s.kind == "lecturer" and s.subject.letter == "C")
        c_reporter = next(s for s in common.slots if s.kind == "case_reporter" and s.subject.letter == "C")
        c_materials = next(s for s in common.slots if s.kind == "material_preparer" and s.subject.letter == "C")

        claim_slot(c_lecturer, member)
        claim_slot(c_materials, member)  # prepared beforehand: no clash
        with pytest.raises(ClaimRefused, match="同じ時間帯に"):
            claim_slot(c_reporter, member)


def test_claim_refuses_a_day_the_member_cannot_attend(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        member = save_member(plan, member_row(unavailable=[date(2026, 2, 18)]))
        db.session.commit()
        timekeeper = next(s for s in plan.trainings[0].slots if s.kind == "timekeeper")

        with pytest.raises(ClaimRefused, match="参加できない日"):
            claim_slot(timekeeper, member)


def test_release_and_locked_slot(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        member = save_member(plan, member_row())
        db.session.commit()
        slot = plan.trainings[0].slots[0]
        claim_slot(slot, member)
        release_slot(slot, member)
        slot.locked = True
        db.session.commit()

        with pytest.raises(ClaimRefused, match="確定済み"):
            claim_slot(slot, member)


def test_member_claims_through_web_and_sees_my_roles(app, client, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        save_member(plan, member_row())
        db.session.commit()
        make_user(plan.prefecture, "sato@aoba.example.jp", role="member")
        slot = next(s for s in plan.trainings[1].slots if s.kind == "timekeeper")
        slot_id = slot.id
    login(client, "sato@aoba.example.jp")

    claimed = client.post(f"/plans/{plan_id}/roles/{slot_id}/claim", follow_redirects=True)
    mine = client.get("/my/roles")

    assert "を担当します。" in claimed.get_data(as_text=True)
    assert "相談後期 タイムキーパー役" in mine.get_data(as_text=True)


def test_member_not_on_roster_cannot_claim(app, client, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        make_user(plan.prefecture, "guest@midori.example.jp", role="member")
        slot_id = plan.trainings[0].slots[0].id
    login(client, "guest@midori.example.jp")

    response = client.post(f"/plans/{plan_id}/roles/{slot_id}/claim")

    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(RoleSlot, slot_id).holder_id is None


def test_official_assigns_and_locks(app, client, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        member = save_member(plan, member_row())
        db.session.commit()
        slot_id, member_id = plan.trainings[0].slots[0].id, member.id
    login(client, "official@midori.example.jp")

    response = client.post(f"/plans/{plan_id}/roles/{slot_id}/assign",
                           data={"member_id": member_id, "locked": "y"})

    assert response.status_code == 302
    with app.app_context():
        slot = db.session.get(RoleSlot, slot_id)
        assert (slot.holder_id, slot.locked) == (member_id, True)


def test_slots_follow_timetable_changes(app, plan_id):
    from planner.services.plans.changes import add_local_subject, set_separate_day
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        chief = plan.trainings[2]
        before = len(chief.slots)
        add_local_subject(chief, "ホームレス支援", 30, "小林", "NPO")
        after_local = len(chief.slots)
        e = next(s for s in chief.subjects if s.letter == "E")
        set_separate_day(chief, e.id, True)

        assert after_local == before  # an outside lecturer, no member slot
        assert all(s.subject_id != e.id for s in chief.slots)


# ------------------------------------------------------------------ suggestions

def test_suggestion_gives_every_member_a_role_and_prefers_graduates(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        graduate = save_member(plan, member_row(courses={"counselor": 2024}))
        for i in range(5):
            save_member(plan, member_row(name=f"メンバー{i}", email=f"m{i}@example.jp"))
        db.session.commit()

        result = suggest(plan)

        holders = {a.member_id for a in result.assignments}
        assert holders == {m.id for m in plan.members}
        counselor_lecturers = {s.id for s in plan.trainings[1].slots if s.kind == "lecturer"}
        assert any(a.slot_id in counselor_lecturers and a.member_id == graduate.id for a in result.assignments)
        assert all(a.reason for a in result.assignments)


def test_accepting_suggestions_keeps_claims_made_meanwhile(app, client, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        a = save_member(plan, member_row())
        b = save_member(plan, member_row(name="伊藤 直子", email="ito@aoba.example.jp"))
        db.session.commit()
        slot = plan.trainings[0].slots[0]
        pair = f"{slot.id}:{a.id}"
        claim_slot(slot, b)  # b claims after the suggestion was shown
        slot_id, b_id = slot.id, b.id
    login(client, "official@midori.example.jp")

    response = client.post(f"/plans/{plan_id}/roles/suggest", data={"pair": [pair]}, follow_redirects=True)

    assert "提案を0件反映しました。1件は、その間に申し込みがあったため反映していません。" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(RoleSlot, slot_id).holder_id == b_id


def test_roster_rows_round_trip(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        save_member(plan, member_row(courses={"common": 2023}, unavailable=[date(2026, 2, 18)]))
        db.session.commit()

        rows = roster_rows(plan)

    assert parse_roster(write_roster(rows)) == rows


def test_member_form_adds_member_and_refuses_bad_input(app, client, plan_id):
    login(client, "official@midori.example.jp")
    good = {"name": "伊藤 直子", "municipality": "かわべ市", "municipality_kind": "core_city",
            "email": "ito@kawabe.example.jp", "course_counselor": "y", "year_counselor": "2025",
            "unavailable": "2026-07-15, 2026-10-21"}

    bad_email = client.post(f"/plans/{plan_id}/team/new", data={**good, "email": "ito-at-kawabe"})
    bad_date = client.post(f"/plans/{plan_id}/team/new", data={**good, "unavailable": "7月15日"})
    bad_year = client.post(f"/plans/{plan_id}/team/new", data={**good, "year_counselor": "25"})
    added = client.post(f"/plans/{plan_id}/team/new", data=good)
    duplicate = client.post(f"/plans/{plan_id}/team/new", data={**good, "name": "別人"})

    assert bad_email.status_code == 422 and "メールアドレスの形式が正しくありません。" in bad_email.get_data(as_text=True)
    assert bad_date.status_code == 422 and "「7月15日」は日付として読めません" in bad_date.get_data(as_text=True)
    assert bad_year.status_code == 422 and "2000〜2100の数で入力してください。" in bad_year.get_data(as_text=True)
    assert added.status_code == 302
    assert duplicate.status_code == 422 and "伊藤 直子 さんが使っています" in duplicate.get_data(as_text=True)
    with app.app_context():
        members = db.session.scalars(db.select(TeamMember)).all()
        assert [(m.name, m.graduate_of, sorted(m.unavailable_days)) for m in members] == [
            ("伊藤 直子", {"counselor"}, [date(2026, 7, 15), date(2026, 10, 21)])]


def test_claim_answers_json_for_scripts(app, client, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        save_member(plan, member_row())
        db.session.commit()
        make_user(plan.prefecture, "sato@aoba.example.jp", role="member")
        slot_id = plan.trainings[0].slots[0].id
    login(client, "sato@aoba.example.jp")
    headers = {"Accept": "application/json"}

    first = client.post(f"/plans/{plan_id}/roles/{slot_id}/claim", headers=headers)
    again = client.post(f"/plans/{plan_id}/roles/{slot_id}/claim", headers=headers)

    assert first.status_code == 200 and first.json["ok"] is True
    assert again.status_code == 409 and again.json == {"ok": False, "message": "この役割はすでにあなたが担当しています。"}


def test_copy_to_next_cycle_keeps_the_team_but_not_roles_or_dates(app, plan_id):
    from planner.services.plans.next_cycle import copy_plan
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        member = save_member(plan, member_row(courses={"counselor": 2024}, unavailable=[date(2026, 2, 18)]))
        db.session.commit()
        claim_slot(plan.trainings[1].slots[0], member)

        copy = copy_plan(plan)
        db.session.commit()

        assert copy.title == "令和8〜9年度 伝達研修計画"
        assert [(m.name, m.email, {c.course: c.year for c in m.courses}, m.unavailable_days)
                for m in copy.members] == [("佐藤 健一", "sato@aoba.example.jp", {"counselor": 2024}, set())]
        assert all(s.holder_id is None for t in copy.trainings for s in t.slots)


def test_accept_all_fills_every_open_slot_in_one_post(app, client, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        for i in range(6):
            save_member(plan, member_row(name=f"メンバー{i}", email=f"m{i}@aoba.example.jp"))
        db.session.commit()
    login(client, "official@midori.example.jp")

    response = client.post(f"/plans/{plan_id}/roles/accept-all")

    assert response.status_code == 302
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assert coverage(plan).without_role == []
        assert db.session.scalar(db.select(db.func.count(RoleSlot.id)).where(RoleSlot.holder_id.is_not(None))) > 0


def test_suggestion_page_and_assign_form_show_each_members_load(app, client, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        a = save_member(plan, member_row())
        save_member(plan, member_row(name="伊藤 直子", email="ito@aoba.example.jp"))
        db.session.commit()
        common = plan.trainings_by_date[0]
        lecture = next(s for s in common.slots if s.kind == "lecturer")
        claim_slot(lecture, a)
        other = next(s for s in common.slots if s.holder_id is None)
        other_id = other.id
        expected = list(suggest(plan).holders.values())
        after = {"佐藤 健一": expected.count(a.id), "伊藤 直子": len(expected) - expected.count(a.id)}
    login(client, "official@midori.example.jp")

    suggestion = client.get(f"/plans/{plan_id}/roles/suggest").get_data(as_text=True)
    form = client.get(f"/plans/{plan_id}/roles/{other_id}/assign").get_data(as_text=True)

    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td class="num" data-label="現在">(\d+)件</td>'
                      r'<td class="num" data-label="反映後">(\d+)件</td></tr>', suggestion)
    assert [r[:2] for r in rows] == [("佐藤 健一", "1"), ("伊藤 直子", "0")]
    assert {r[0]: int(r[2]) for r in rows} == after
    assert "佐藤 健一（あおば市）担当1件" in form and "伊藤 直子（あおば市）担当0件" in form
    assert re.search(r'佐藤 健一</th><td class="num" data-label="計画全体">1件</td>'
                     r'<td class="num" data-label="この研修の講師役・事例報告役">1件</td>', form)


# ------------------------------------------------------------------ edits and re-imports are updates

def test_member_form_saved_unchanged_keeps_courses_and_dates(app, client, plan_id):
    with app.app_context():
        member = save_member(db.session.get(Plan, plan_id), member_row(
            courses={"common": 2023, "counselor": 2024}, unavailable=[date(2026, 2, 18), date(2026, 7, 15)]))
        db.session.commit()
        member_id = member.id
    login(client, "official@midori.example.jp")
    form = {"name": "佐藤 健一", "municipality": "あおば市", "municipality_kind": "designated_city",
            "email": "sato@aoba.example.jp", "course_common": "y", "year_common": "2023",
            "course_counselor": "y", "year_counselor": "2024", "unavailable": "2026-02-18, 2026-07-15"}

    unchanged = client.post(f"/plans/{plan_id}/team/{member_id}/edit", data=form)
    changed = client.post(f"/plans/{plan_id}/team/{member_id}/edit",
                          data={**form, "year_common": "2022", "course_counselor": "", "course_chief": "y",
                                "unavailable": "2026-07-15, 2026-10-21"})

    assert (unchanged.status_code, changed.status_code) == (302, 302)
    with app.app_context():
        member = db.session.get(TeamMember, member_id)
        assert {c.course: c.year for c in member.courses} == {"common": 2022, "chief": None}
        assert sorted(member.unavailable_days) == [date(2026, 7, 15), date(2026, 10, 21)]


def test_roster_export_re_imports_as_updates(app, client, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        save_member(plan, member_row(courses={"common": 2023}, unavailable=[date(2026, 2, 18)]))
        save_member(plan, member_row(name="伊藤 直子", email="ito@aoba.example.jp", courses={"chief": None}))
        db.session.commit()
        before = roster_rows(plan)
    login(client, "official@midori.example.jp")
    exported = client.get(f"/plans/{plan_id}/team.csv").data

    first = client.post(f"/plans/{plan_id}/team/import", follow_redirects=True,
                        data={"file": (io.BytesIO(exported), "名簿.csv")})
    second = client.post(f"/plans/{plan_id}/team/import", follow_redirects=True,
                         data={"file": (io.BytesIO(exported), "名簿.csv")})

    assert first.status_code == second.status_code == 200
    assert "名簿を取り込みました（追加0人、更新2人）。" in second.get_data(as_text=True)
    with app.app_context():
        assert roster_rows(db.session.get(Plan, plan_id)) == before


def test_form_messages_wtforms_writes_itself_are_japanese(app, client, plan_id):
    login(client, "official@midori.example.jp")
    form = {"name": "伊藤 直子", "municipality": "かわべ市", "municipality_kind": "ward",
            "email": "ito@kawabe.example.jp"}

    response = client.post(f"/plans/{plan_id}/team/new", data=form)

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "選択肢が正しくありません。" in html
    assert "Not a valid choice" not in html


def test_every_form_derives_from_the_base_with_japanese_messages():
    from flask_wtf import FlaskForm

    import planner.web.forms
    import planner.web.timeline_forms  # noqa: F401 - registers its forms

    def subclasses(cls):
        return {cls} | {s for sub in cls.__subclasses__() for s in subclasses(sub)}

    forms = subclasses(FlaskForm) - {FlaskForm, planner.web.forms.Form}
    assert len(forms) >= 10
    assert [f.__name__ for f in forms if not issubclass(f, planner.web.forms.Form)] == []


def test_lists_are_in_date_order(app, client, plan_id):
    with app.app_context():
        save_member(db.session.get(Plan, plan_id), member_row(
            courses={"common": 2024, "counselor": 2021, "chief": None},
            unavailable=[date(2026, 7, 15), date(2026, 2, 18)]))
        db.session.commit()
    login(client, "official@midori.example.jp")

    plan_page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    roster = client.get(f"/plans/{plan_id}/team").get_data(as_text=True)

    positions = [plan_page.index(title) for title in ("前期共通プログラム", "主任相談支援員・後期", "相談支援員・後期", "就労支援員・後期")]
    assert positions == sorted(positions)  # 2/18, 3/11, 7/15, 10/21
    assert "相談支援員（令和3年）、前期共通（令和6年）、主任相談支援員" in roster
    assert roster.index("令和8年2月18日") < roster.index("令和8年7月15日")


def test_a_two_day_training_names_each_roles_day_in_its_label_and_invitation_file(app, plan_id):
    from exports.files import invitation_name
    from planner.services.team.roles import slot_label, sync_slots

    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        counselor = next(t for t in plan.trainings if t.curriculum_key == "counselor")
        counselor.day_count, counselor.later_dates = 2, "2026-07-22"  # a week after day 1 (7/15)
        sync_slots(counselor)
        db.session.commit()
        member = save_member(plan, member_row())
        db.session.commit()
        slots = {(s.subject.letter if s.subject else "", s.kind, s.day_index): s for s in counselor.slots}
        a, d = slots[("A", "lecturer", 0)], slots[("D", "lecturer", 0)]
        second_keeper = slots[("", "timekeeper", 1)]
        preparer = next(s for s in counselor.slots if s.kind == "material_preparer")
        one_day = next(s for s in plan.trainings if s.curriculum_key == "common").slots

        labels = [slot_label(s) for s in (a, d, second_keeper, preparer)]
        files = [invitation_name(member, counselor, s) for s in (a, d, second_keeper, preparer)]
        common_label = slot_label(next(s for s in one_day if s.kind == "lecturer"))

    assert labels[0].startswith("相談後期 1日目（7月15日） A ") and labels[0].endswith("講師役")
    assert labels[1].startswith("相談後期 2日目（7月22日） D ") and labels[1].endswith("講師役")
    assert labels[2] == "相談後期 2日目（7月22日） タイムキーパー役"
    assert "日目" not in labels[3]  # preparation is done beforehand, on no day of the training
    assert files[0].startswith("招待_相談後期_1日目_7月15日_A講師役_")
    assert files[1].startswith("招待_相談後期_2日目_7月22日_D講師役_")
    assert files[2].startswith("招待_相談後期_2日目_7月22日_タイムキーパー役_")
    assert files[3].startswith("招待_相談後期_事前_")
    assert "日目" not in common_label  # a one-day training needs no day in its labels


def test_a_version_published_before_roles_named_their_day_is_not_a_draft_for_the_new_labels(app, plan_id):
    import json

    from planner.models import ProgrammeVersion
    from planner.services.plans import versions
    from planner.services.team.roles import sync_slots

    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        counselor = next(t for t in plan.trainings if t.curriculum_key == "counselor")
        counselor.day_count, counselor.later_dates = 2, "2026-07-22"
        sync_slots(counselor)
        db.session.commit()
        state = versions.snapshot(counselor)
        # the labels as they were written before (no day), the rest as it is now
        old = state | {"roles": [r | {"label": r["label"].replace("2日目（7月22日） ", "")} for r in state["roles"]]}
        assert old != state
        db.session.add(ProgrammeVersion(training=counselor, number=1, published_on=date(2026, 6, 1),
                                        snapshot=json.dumps(old, ensure_ascii=False)))
        db.session.commit()

        assert versions.pending_changes(counselor) is None
        holder = save_member(plan, member_row())
        db.session.commit()
        claim_slot(next(s for s in counselor.slots if s.kind == "timekeeper"), holder)
        assert versions.pending_changes(counselor)  # a real change still makes a draft
