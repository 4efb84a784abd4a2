"""The demo's closed loop: last cycle's plan (the year before the demo plan) with its
counselor training held, answered by most participants (one comment held for naming a
person), the groups' findings, a follow-up in progress (some municipalities answered), and
「次に変えること」 from the common training's retrospective on the next meeting's agenda.

All people and places are fictitious. Links are made with a placeholder key; the app
re-derives a link's stored hash with its own key the next time it issues it (links.refresh).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from planner.domain.participants import ParticipantEntry
from planner.domain.timeline import proposed_training_dates
from planner.models import Plan, Prefecture, Training
from planner.models.db import db
from planner.models.survey import FollowUp, GroupFinding
from planner.services.participants import entries as participants
from planner.services.participants import municipalities as municipality_service
from planner.services.plans.changes import create_plan
from planner.services.survey import answers, changes, links, questions
from planner.services.survey.answers import review_of
from planner.services.timeline import load_demo_timeline

DEMO_KEY = "demo-placeholder-key"
#: (name, kana, kind) of last year's counselor training, two per municipality
PEOPLE = [("秋山 葉子", "あきやま ようこ", "worker"), ("井上 拓", "いのうえ たく", "worker"),
          ("江口 舞", "えぐち まい", "official"), ("大川 修", "おおかわ おさむ", "worker"),
          ("北村 奈央", "きたむら なお", "worker"), ("久保 亮太", "くぼ りょうた", "agency"),
          ("坂本 由紀", "さかもと ゆき", "worker"), ("島田 剛", "しまだ つよし", "official"),
          ("杉山 千尋", "すぎやま ちひろ", "worker"), ("平野 学", "ひらの まなぶ", "worker"),
          ("松田 薫", "まつだ かおる", "worker"), ("森下 純", "もりした じゅん", "official")]
#: how many did not answer (their links stay unused: the official can remind them)
UNANSWERED = 2
COMMENTS = ["アセスメントシートの使い方が具体的で、すぐに使えそうです。", "演習の時間がもう少し長いとよかった。",
            "他市町村の支援員と話せてよかった。", "山田さんの事例報告が分かりやすかった。",
            "支援調整会議の進め方を次回も取り上げてほしい。"]
FINDINGS = {1: [("issue", "町村部では相談窓口が役場の一部署で、支援員が一人で抱え込みやすい"),
                ("measure", "近隣の町村で合同の事例検討会を年3回開く"),
                ("key_role", "社会福祉協議会の地域福祉コーディネーター")],
            2: [("issue", "就労体験の受け入れ先が市内に少ない"),
                ("measure", "商工会と連携して受け入れ事業所の説明会を開く"),
                ("key_role", "ハローワークの就労支援ナビゲーター")]}
#: (municipality index, held, what, people): answers so far; the others have not answered
FOLLOWUPS = [(0, True, "市の相談支援員研修でアセスメントを伝達", 14), (1, True, "圏域の事例検討会に参加", 9),
             (2, False, "", 0)]
CHANGES = [("A", "制度の理念の説明を短くし、事例の読み込みに10分回す"), ("", "グループワークの班に行政職員を必ず入れる")]


def load_demo_survey(prefecture: Prefecture, today: date) -> Plan | None:
    """Last cycle's plan with its survey loop; None when the prefecture has no municipalities."""
    places = municipality_service.municipalities(prefecture)[:6]
    if not places:
        return None
    current = min(p.cycle_year for p in prefecture_plans(prefecture))
    year = current - 1
    plan = create_plan(prefecture, f"令和{year + 1 - 2018}年度 伝達研修計画（前年度）", year,
                       dates=proposed_training_dates(year), venue="みどり県総合福祉センター 大会議室")
    db.session.commit()
    load_demo_timeline(plan, today)
    held = [t for t in plan.trainings_by_date if t.last_day and t.last_day < today]
    if not held:
        return plan
    training = next((t for t in reversed(held) if t.curriculum_key == "counselor"), held[-1])
    _people(training, places)
    _answers(training)
    _findings(training)
    _followups(training, places, today)
    _changes(plan)
    return plan


def prefecture_plans(prefecture: Prefecture) -> list[Plan]:
    return list(db.session.scalars(db.select(Plan).filter_by(prefecture_id=prefecture.id)))


def _people(training: Training, places) -> None:
    training.per_municipality = 2
    applied = training.first_date - timedelta(days=30)
    for n, place in enumerate(places):
        entries = [ParticipantEntry(name, kana, "福祉課", kind, "相談支援員") for name, kana, kind in PEOPLE[2 * n:2 * n + 2]]
        for person in participants.add_entries(training, place, entries, "official", today=applied):
            person.group_no = 1 + (n + len(person.name)) % 2
    db.session.commit()


def _answers(training: Training) -> None:
    """Answers with a plausible spread (seeded: the same demo every time)."""
    rng = random.Random(27)
    rows = questions.ensure_questions(training)
    made = list(links.ensure_participant_links(training, DEMO_KEY).values())
    rng.shuffle(made)
    for index, link in enumerate(made[:-UNANSWERED]):
        form: dict[str, list[str]] = {}
        for q in rows:
            if q.kind == "scale":
                form[f"q{q.id}"] = [str(rng.choices((5, 4, 3, 2), weights=(4, 5, 2, 1))[0])]
            elif q.aspect == "participant_kind":
                form[f"q{q.id}"] = [rng.choice(q.choice_list)]
            elif q.aspect == "themes":
                form[f"q{q.id}"] = rng.sample(q.choice_list[:-1], 2)
            elif q.aspect == "free" and index < len(COMMENTS):
                form[f"q{q.id}"] = [COMMENTS[index]]
        answers.submit(link, form, training.last_day + timedelta(days=index % 3))


def _findings(training: Training) -> None:
    for group_no, rows in FINDINGS.items():
        for category, text in rows:
            review, found = review_of(text)
            db.session.add(GroupFinding(training_id=training.id, group_no=group_no, category=category, text=text,
                                        review=review, findings=found))
    db.session.commit()


def _followups(training: Training, places, today: date) -> None:
    for place in places:
        links.followup_link(training, place, DEMO_KEY)
    answered_on = min(today, training.last_day + timedelta(days=100))
    for index, held, activity, people in FOLLOWUPS:
        db.session.add(FollowUp(training_id=training.id, municipality_id=places[index].id, held=held,
                                activity=activity, people=people, answered_on=answered_on))
    db.session.commit()


def _changes(plan: Plan) -> None:
    retro = next((m for m in plan.milestones if m.kind == "retrospective" and m.training is not None
                  and m.training.curriculum_key == "common"), None)
    if retro is None or changes.next_meeting(retro) is None:
        return
    for letter, text in CHANGES:
        changes.add_change(retro, letter, text)


