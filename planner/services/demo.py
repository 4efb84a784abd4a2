"""A fictitious prefecture (みどり県) with an official, team members and a yearly plan."""
from __future__ import annotations

from datetime import date, time, timedelta

from planner.domain.timeline import cycle_year_containing, proposed_training_dates
from planner.models import Plan, Prefecture, User
from planner.models.account import MEMBER, OFFICIAL
from planner.models.db import db
from planner.services.materials.demo import load_demo_materials
from planner.services.participants import groups
from planner.services.participants.demo import load_demo_participants
from planner.services.participants.demo_reception import load_demo_reception
from planner.services.plans import programme
from planner.services.plans.changes import add_local_subject, create_plan, edit_draft_subject, update_training
from planner.services.plans.local import LocalSubjectInput, add_local_training
from planner.services.plans.supplements import EventValues, Speaker, add_event
from planner.services.survey.demo import load_demo_survey
from planner.services.team.files import MemberRow
from planner.services.team.roles import claim_slot, slot_day
from planner.services.team.roster import save_member
from planner.services.timeline import load_demo_timeline

DEMO_PREFECTURE = "みどり県"
DEMO_PASSWORD = "demo-pass-2026"
#: what the handouts print as 主催 and 問い合わせ先 (fictitious department, phone and address)
DEMO_SETTINGS = {
    "department": "福祉保健部 地域福祉課", "letter_sender": "みどり県福祉保健部長",
    "contact_section": "地域福祉課 生活支援班", "contact_name": "田中 ゆかり",
    "contact_phone": "012-345-6789", "contact_email": "chiikifukushi@pref.midori.example.jp",
    "document_number_prefix": "み福",
    "lecturer_fee": "1時間あたり7,500円（源泉徴収税を差し引いてお支払いします）",
    "travel_expenses": "県の旅費規程により実費をお支払いします",
}
DEMO_VENUE = {
    "venue_address": "みどり市中央町1-2-3",
    "venue_access": "JRみどり駅から徒歩10分。駐車場に限りがあるため、公共交通機関をご利用ください。",
    "reception_time": time(8, 30),
    "belongings": "筆記用具、自立相談支援事業従事者養成研修テキスト（お持ちの方）",
    "equipment": "プロジェクター・スクリーン（HDMI）、マイク2本、ホワイトボード",
    "capacity": 60,
}
DEMO_PEOPLE = [
    # (email, name, role)
    ("tanaka@midori.example.jp", "田中 ゆかり（県 地域福祉課）", OFFICIAL),
    ("sato@aoba.example.jp", "佐藤 健一（あおば市 自立相談支援センター）", MEMBER),
    ("suzuki@kawabe.example.jp", "鈴木 真理（かわべ市 生活相談窓口）", MEMBER),
    ("takahashi@yamanaka.example.jp", "高橋 翔（やまなか町 社会福祉協議会）", MEMBER),
]


def load_demo() -> list[str]:
    """Create the demo data once; running it again changes nothing. Returns lines to print."""
    prefecture = db.session.scalar(db.select(Prefecture).filter_by(name=DEMO_PREFECTURE))
    if prefecture is None:
        prefecture = Prefecture(name=DEMO_PREFECTURE, **DEMO_SETTINGS)
        db.session.add(prefecture)
        for email, name, role in DEMO_PEOPLE:
            user = User(prefecture=prefecture, email=email, name=name, role=role)
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
        db.session.flush()
        # the cycle under way today (November to October), with the source's default dates
        today = date.today()
        cycle_year = cycle_year_containing(today)
        dates = proposed_training_dates(cycle_year)
        plan = create_plan(prefecture, f"令和{cycle_year - 2018}〜{cycle_year + 1 - 2018}年度 伝達研修計画（デモ）", cycle_year,
                           dates=dates, venue="みどり県総合福祉センター 大会議室")
        for training in plan.trainings:
            for name, value in DEMO_VENUE.items():
                setattr(training, name, value)
            training.materials_deadline = training.first_date - timedelta(days=14)
        db.session.commit()
        _demo_two_days(plan)
        _demo_local_subjects(plan)
        _demo_team(plan, dates)
        _demo_programme(plan)
        _demo_supplement(plan)
        _demo_settled_draft(plan)
        load_demo_timeline(plan, today)  # past steps done, later ones planned
        load_demo_participants(plan, today)
        load_demo_reception(plan, today)  # a training already held: ticked, certificates ready
        _demo_groups(plan)  # after the participants
        load_demo_materials(plan, today)  # files in several states, one late, a case to settle
        load_demo_survey(prefecture, today)  # last cycle: survey answered, findings, follow-up under way
        _demo_local_training(plan, dates)
        created = f"デモデータを作成しました（{DEMO_PREFECTURE}、計画ID {plan.id}）。"
    else:
        created = f"デモデータは作成済みです（{DEMO_PREFECTURE}）。"
    lines = [created, "ログイン（パスワードはすべて " + DEMO_PASSWORD + "）:"]
    lines += [f"  {'担当職員' if role == OFFICIAL else 'チーム員'}: {email}" for email, _, role in DEMO_PEOPLE]
    return lines


# (name, municipality, kind, e-mail, courses {course: year}, trainings whose day they cannot attend)
DEMO_TEAM = [
    ("田中 ゆかり", "みどり県 地域福祉課", "prefecture", "tanaka@midori.example.jp", {}, []),
    ("佐藤 健一", "あおば市", "designated_city", "sato@aoba.example.jp",
     {"common": 2023, "counselor": 2024}, ["job_support"]),
    ("鈴木 真理", "かわべ市", "core_city", "suzuki@kawabe.example.jp",
     {"common": 2023, "chief": 2024}, []),
    ("高橋 翔", "やまなか町", "other", "takahashi@yamanaka.example.jp", {"common": 2024, "job_support": 2025}, []),
    ("伊藤 直子", "あおば市", "designated_city", "ito@aoba.example.jp", {"counselor": 2025}, []),
    ("渡辺 大輔", "みなと市", "other", "watanabe@minato.example.jp", {"common": 2022, "chief": 2023},
     ["chief"]),
    ("山本 美穂", "かわべ市", "core_city", "yamamoto@kawabe.example.jp", {"job_support": 2024}, []),
    ("中村 聡", "もりの村", "other", "nakamura@morino.example.jp", {}, []),
]


#: the counselor training's second day, a week after the first (the same weekday, not the next day)
DEMO_SECOND_DAY = timedelta(days=7)


def _demo_two_days(plan: Plan) -> None:
    """The counselor training is held on two days a week apart, as the source allows where a
    day is too short (「プログラムの日数を増やすのはもちろんであるが」): each day named on every
    page, file and mail."""
    counselor = next(t for t in plan.trainings if t.curriculum_key == "counselor")
    update_training(counselor, day_count=2, later_dates=(counselor.first_date + DEMO_SECOND_DAY).isoformat())


def _demo_local_subjects(plan: Plan) -> None:
    """Oita added local subjects with outside experts; the demo does the same."""
    chief = next(t for t in plan.trainings if t.curriculum_key == "chief")
    add_local_subject(chief, "ホームレス支援の実際", 45, "小林 一郎", "NPO法人 みどりの灯")


#: the demo's local training (地域の実情に応じた研修): two local subjects, one by an outside
#: expert, one a case study the team runs (fictitious names)
DEMO_LOCAL_TRAINING = {
    "title": "ひきこもり支援の実践",
    "aim": "ひきこもり状態にある人と家族への支援を、県内の社会資源とつなげて考える。",
    "subjects": (
        LocalSubjectInput("ひきこもり状態にある人と家族の理解", 150, "山口 さとみ",
                          "みどり県ひきこもり地域支援センター"),
        LocalSubjectInput("事例検討：家族からの相談に始まる支援", 150, team_lecturer=True, uses_cases=True),
    ),
}


def _demo_local_training(plan: Plan, dates: dict[str, date]) -> None:
    """A training on local needs, three weeks before the job-support one (same weekday)."""
    training = add_local_training(plan, DEMO_LOCAL_TRAINING["title"], DEMO_LOCAL_TRAINING["aim"],
                                  dates["job_support"] - timedelta(days=21), None,
                                  list(DEMO_LOCAL_TRAINING["subjects"]))
    for name, value in DEMO_VENUE.items():
        setattr(training, name, value)
    training.venue = "みどり県総合福祉センター 大会議室"
    training.materials_deadline = training.first_date - timedelta(days=14)
    db.session.commit()


def _demo_team(plan: Plan, dates: dict[str, date]) -> None:
    """A roster from every kind of municipality, and a few roles already claimed."""
    members = {row[3]: save_member(plan, MemberRow(name=row[0], municipality=row[1], municipality_kind=row[2],
                                                   email=row[3], courses=row[4],
                                                   unavailable=[dates[key] for key in row[5]]))
               for row in DEMO_TEAM}
    db.session.commit()
    counselor = next(t for t in plan.trainings if t.curriculum_key == "counselor")
    first = next(s for s in counselor.slots if s.kind == "lecturer" and s.subject.letter == "A")
    claim_slot(first, members["sato@aoba.example.jp"])
    # a role on the second day: the lecturer of the first subject the timetable puts there
    second = sorted((s for s in counselor.slots if s.kind == "lecturer" and slot_day(s) == 2),
                    key=lambda s: s.subject.position)
    claim_slot(second[0], members["ito@aoba.example.jp"])
    timekeeper = next(s for s in plan.trainings[0].slots if s.kind == "timekeeper")
    claim_slot(timekeeper, members["takahashi@yamanaka.example.jp"])


def _demo_programme(plan: Plan) -> None:
    """The team adapted the national material: their points for 共通 C, and two of the source's
    options switched on by the official (主任 C at 75 minutes; 相談 D with a guest in 対談 form and
    the mini-symposium's three stages told in turn)."""
    official = db.session.scalar(db.select(User).filter_by(email=DEMO_PEOPLE[0][0]))
    sato = db.session.scalar(db.select(User).filter_by(email=DEMO_PEOPLE[1][0]))
    by_key = {t.curriculum_key: t for t in plan.trainings}

    def row(key: str, letter: str):
        return next(r for r in by_key[key].subjects if r.letter == letter)

    programme.save(by_key["common"], row("common", "C"), sato,
                   emphasis="相談の入口は一つではなく、どの窓口も「断らない」ことから支援が始まること",
                   key_points="DV被害者支援では、警察・配偶者暴力相談支援センターとの連携の順序を具体的に\n"
                              "発達障害のある人には、面接の時間枠を先に示す",
                   how_to_run="講義と演習④の事例を1つに絞り、残りの時間をグループでの意見交換にあてる",
                   worksheets="講義と演習④-1 演習用事例シート\nみどり県版 連携先一覧（A4 1枚）")
    programme.save(by_key["chief"], row("chief", "C"), official, option_keys=("75",),
                   emphasis="職場で育て合う仕組みを、主任が自分の職場に持ち帰れるように")
    programme.save(by_key["counselor"], row("counselor", "D"), official,
                   option_keys=("dialogue", "three_stages"),
                   how_to_run="家計改善支援事業の担当者（みどり県社会福祉協議会）を招き、対談形式で進める")


def _demo_supplement(plan: Plan) -> None:
    """A symposium supplements 共通 C, as the source suggests (「不足する視点は補う」): a
    coordinator and three symposists (fictitious), each with a theme; a case meeting and a
    lecture supplement two more subjects."""
    common = next(t for t in plan.trainings if t.curriculum_key == "common")
    c = next(r for r in common.subjects if r.letter == "C")
    add_event(common, c.id, EventValues(
        kind="symposium", title="断らない相談支援を地域で考える",
        day=common.first_date + timedelta(days=14),  # two weeks after the training, same weekday
        start_time=time(13, 30), end_time=time(16, 30), place="みどり県総合福祉センター 多目的ホール",
        effect="stays", coordinator_name="小川 恵子", coordinator_org="みどり県立大学 社会福祉学部 教授",
        symposists=(Speaker("森本 健太", "あおば市 生活支援課 主任相談支援員", "断らない相談の入口をつくる"),
                    Speaker("石田 由美", "みどり県社会福祉協議会 地域福祉課", "地域の居場所とつながりづくり"),
                    Speaker("中村 大輔", "NPO法人 みどりの家 事務局長", "ひきこもりの人と家族への伴走支援"))))
    # the source's general step reaches any subject: a case meeting after 主任 E (which the source
    # names) and a lecture for 相談 B (which it does not), each with its own lecturer
    by_key = {t.curriculum_key: t for t in plan.trainings}
    for key, letter, weeks, values in (
            ("chief", "E", 4, dict(kind="case_meeting", title="支援困難事例の検討（持ち寄り事例）",
                                   start_time=time(13, 30), end_time=time(16, 0), lecturer_name="藤田 真理",
                                   lecturer_org="みどり県立大学 社会福祉学部 准教授")),
            ("counselor", "B", 3, dict(kind="lecture", title="記録の書き方を見直す",
                                       start_time=time(14, 0), end_time=time(15, 30), lecturer_name="岡本 修",
                                       lecturer_org="みどり県社会福祉士会"))):
        training = by_key[key]
        row = next(r for r in training.subjects if r.letter == letter)
        add_event(training, row.id, EventValues(day=training.first_date + timedelta(weeks=weeks),
                                                place="みどり県総合福祉センター 研修室2", **values))


def _demo_settled_draft(plan: Plan) -> None:
    """The prefecture has started settling the job-support draft (not yet adopted): subject B
    at 110-120 minutes, with the national lecture it checked against the course table."""
    training = next(t for t in plan.trainings if t.curriculum_key == "job_support")
    b = next(r for r in training.subjects if r.letter == "B")
    edit_draft_subject(training, b.id, "", 110, 120,
                       "【講義と演習②】就労支援の実施方法Ⅱ「地域・自治体が担う就労支援」（みどり県で国研修の資料と照合済み）\n"
                       "（参考）テーマ①「３．関わる者が理解・共有しておくこと」", [])


def _demo_groups(plan: Plan) -> None:
    """Groups made for every training that has accepted participants, at its group size."""
    for training in plan.trainings:
        if groups.accepted_participants(training):
            groups.make(training, training.group_size)
