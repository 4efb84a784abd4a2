"""The demo's materials: the common training's files in several states, one past its due
date, and one case file whose anonymity findings are still to settle. Every person, place and
number in the case is fictitious."""
from __future__ import annotations

import io
from datetime import date, timedelta

import docx
from pptx import Presentation

from planner.models import Plan, TeamMember
from planner.models.db import db
from planner.services.materials import anonymise
from planner.services.materials import files as materials
from planner.services.team.roles import claim_slot

#: a fictitious case with what a first draft often still holds: a name, age, birth date,
#: address, telephone number and the agency's name
DEMO_CASE = (
    "演習用事例シート（第1稿）",
    "相談者：森川 太一さん（52歳、昭和48年5月12日生まれ）",
    "住所：みどり市中央町2丁目3番4号　電話：090-1234-5678",
    "森川さんは、あおば市自立相談支援センターに家賃の滞納について相談に来た。",
    "長女の森川 さくらさんと二人で暮らしている。",
    "グループで、最初の面接で確かめることを話し合ってください。",
)


def _demo_settled_case(today: date) -> tuple[str, ...]:
    """A case report with the kinds the check finds beyond names (an e-mail, a building with a
    room, a company, a facility on a place name, the date of an event), dated before today."""
    day = today - timedelta(days=75)
    when = f"令和{day.year - 2018}年{day.month}月{day.day}日"
    return ("事例報告（就労支援）",
            f"{when}、みどり市社会福祉協議会に、あおばハイツ203号室に住む木下 蓮さん（34歳）が来所した。",
            "株式会社あおば運送を雇い止めになり、母の木下 恵美さんと暮らしている。",
            "蓮さんは、ハローワークあおばで求人を探している。連絡先は ren.kinoshita@example.jp。",
            "恵美さんは、あおば中央病院に通院している。")


def docx_bytes(*paragraphs: str) -> bytes:
    """A plain Word file with one paragraph per text (the demo's files, and the tests')."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pptx(title: str, lines: list[str]) -> bytes:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = title
    slide.placeholders[1].text = "\n".join(lines)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def load_demo_materials(plan: Plan, today: date) -> None:
    """Materials of the common training: finished slides, a worksheet waiting for review, a
    case sheet with findings open (its preparer is the demo member 佐藤), and a handout not
    started and past its own due date."""
    common = next(t for t in plan.trainings if t.curriculum_key == "common")
    subjects = {row.letter: row for row in common.subjects}
    sato = db.session.scalar(db.select(TeamMember).filter_by(plan_id=plan.id, email="sato@aoba.example.jp"))
    case_subject = next(row for row in common.subjects
                        if any(s.kind == "case_reporter" and s.subject_id == row.id for s in common.slots))
    preparer = next(s for s in common.slots if s.kind == "material_preparer" and s.subject_id == case_subject.id)
    claim_slot(preparer, sato)

    by = "佐藤 健一（あおば市 自立相談支援センター）"
    slides = materials.add_material(subjects["A"], "講義スライド", "slides", False, by, materials.Upload(
        "A_講義スライド_みどり県版.pptx", _pptx("自立相談支援事業の概要", ["制度の理念", "みどり県の相談窓口"])))
    materials.set_status(slides, "done")
    worksheet = materials.add_material(subjects["B"], "演習ワークシート", "worksheet", False, by, materials.Upload(
        "B_演習ワークシート.docx", docx_bytes("演習ワークシート（案）", "1. 相談の入口で確かめること")))
    materials.add_version(worksheet, materials.Upload(
        "B_演習ワークシート.docx", docx_bytes("演習ワークシート", "1. 相談の入口で確かめること", "2. つなぐ先")), by)
    materials.set_status(worksheet, "review")
    materials.add_material(case_subject, "演習用事例シート", "case", True, by,
                           materials.Upload("演習用事例シート_第1稿.docx", docx_bytes(*DEMO_CASE)),
                           by_email=sato.email)
    # a case report settled once: its first version, with the names, destroyed (issue 25)
    settled = materials.add_material(case_subject, "事例報告（就労支援）", "case", True, by,
                                     materials.Upload("事例報告.docx", docx_bytes(*_demo_settled_case(today))),
                                     by_email=sato.email)
    check = materials.current_check(settled)
    anonymise.settle_all(settled, check.id, {row.number: row.suggestion for row in anonymise.table(check)},
                         by, sato.email)
    handout = materials.add_material(subjects["D"] if "D" in subjects else subjects["A"], "配布資料（連携先一覧）",
                                     "other", False, by)
    materials.set_due(handout, today - timedelta(days=3))
    db.session.commit()
