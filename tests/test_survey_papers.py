"""The survey's QR codes as printed: name cards (12 people, two sheets), the 受付票 and the
研修次第 rendered by LibreOffice and rasterised at 150 dpi (about a cheap scan); every code
is read back from the page image with zxing-cpp and names that person's own link. The
results report is A4 and rendered too (its pages kept in test-artifacts/survey/)."""
from __future__ import annotations

import subprocess
import uuid

from PIL import Image

from exports import handouts, survey_papers
from exports import participants as outputs
from exports.survey_report import report_docx
from planner.models import Training
from planner.models.db import db
from planner.services.participants.attendance import day_participants
from planner.services.survey import links
from planner.services.survey.results import results
from tests.survey_data import SECRET, survey_world
from tests.system import require, require_fonts


def _url(token: str) -> str:
    return f"https://planner.example.jp/s/{token}"


def _codes(png_paths) -> list[str]:
    import zxingcpp
    found = []
    for path in sorted(png_paths):
        with Image.open(path) as image:
            found += [code.text for code in zxingcpp.read_barcodes(image)]
    return found


def _a4(path) -> bool:
    with Image.open(path) as image:
        width, height = image.size
    return abs(height / width - 297 / 210) < 0.01


def test_printed_qr_codes_read_back_as_each_persons_own_link(app, tmp_path, artifacts):
    soffice = require("soffice", "the papers are checked by converting them with LibreOffice")
    pdftoppm = require("pdftoppm", "pages are rasterised with poppler")
    require_fonts("the papers are Japanese")
    with app.app_context():
        world, tokens = survey_world(12)
        training = db.session.get(Training, world.trainings["common"])
        urls = links.participant_urls(training, SECRET, _url)
        order = [urls[p.id] for p in day_participants(training)]
        docs = {"cards": outputs.name_cards(training, survey_urls=urls),
                "slips": survey_papers.reception_slips(training, urls)[1],
                "agenda": handouts.agenda(training, survey_url=_url("shared")),
                "report": report_docx(results(training))[1]}
    for name, data in docs.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), *[str(tmp_path / f"{n}.docx") for n in docs]],
                   check=True, capture_output=True, timeout=240)
    out = artifacts / "survey"
    out.mkdir(exist_ok=True)
    for name in docs:
        subprocess.run([pdftoppm, "-r", "150" if name != "report" else "60", "-png", str(tmp_path / f"{name}.pdf"),
                        str(out / name)], check=True, capture_output=True, timeout=120)

    cards = _codes(out.glob("cards-*.png"))
    slips = _codes(out.glob("slips-*.png"))
    agenda = _codes(out.glob("agenda-*.png"))

    assert sorted(cards) == sorted(order) and len(list(out.glob("cards-*.png"))) == 2
    assert sorted(slips) == sorted(order)
    assert agenda == [_url("shared")]
    assert set(order) == {_url(t) for t in tokens.values()}
    report_pages = list(out.glob("report-*.png"))
    assert report_pages and all(_a4(p) for p in report_pages)
