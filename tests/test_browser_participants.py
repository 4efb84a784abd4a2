"""A municipality's application link walked in Chromium, on a phone: three entries (the third
passes the quota, is refused clearly and goes on the waiting list only when chosen), one
edited, another municipality's entries out of sight, and the link refused after the deadline
and after the official revokes it on her page."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from planner.models import ApplicationLink, Municipality, Participant, Training
from planner.models.db import db
from planner.services.demo import DEMO_PASSWORD
from planner.services.participants import entries as participants
from planner.services.participants import links as application_links
from tests.conftest import BROWSER_TIMEOUT_MS
from tests.factories import log_in_browser

OFFICIAL = "tanaka@midori.example.jp"
LIVE_SECRET = "test-live-server"  # the live server's SECRET_KEY (tests/conftest.py serve)


def _link(app, name: str) -> tuple[str, int, int]:
    """(path of the municipality's link, its training id, the municipality's id)."""
    with app.app_context():
        municipality = db.session.scalar(db.select(Municipality).filter_by(name=name))
        link = db.session.scalar(db.select(ApplicationLink).filter_by(municipality_id=municipality.id))
        return f"/apply/{application_links.token_of(link, LIVE_SECRET)}", link.training_id, municipality.id


def _log_in(page, base: str) -> None:
    log_in_browser(page, base, OFFICIAL, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")


def _enter(page, name: str, kana: str, job: str, needs: str = "", kind: str = "支援員") -> None:
    page.get_by_label("氏名").fill(name)
    page.get_by_label("ふりがな").fill(kana)
    page.get_by_label("所属（課・事業所など）").fill("保健福祉課")
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("職種（例: 相談支援員、就労支援員、係長）").fill(job)
    page.get_by_label("配慮が必要なこと（例: 手話通訳、車いす）").fill(needs)
    page.get_by_role("button", name="申し込む").click()


def test_a_municipality_walks_its_link_until_the_deadline_and_revocation(demo_server, browser, artifacts):
    base, app = demo_server
    path, training_id, morino = _link(app, "もりの村")
    with app.app_context():
        aoba_entry = db.session.scalar(db.select(Participant).filter_by(name="青葉 花子")).id
    phone = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 390, "height": 900})
    page = phone.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        page.goto(base + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text("もりの村")
        expect(page.get_by_text("まだ申込はありません。")).to_be_visible()
        # another municipality's entries are not on this page
        expect(page.get_by_text("青葉 花子")).to_have_count(0)

        _enter(page, "森野 一郎", "もりの いちろう", "相談支援員", needs="手話通訳")
        expect(page.get_by_text("森野 一郎さんの申込を受け付けました。")).to_be_visible()
        _enter(page, "森野 二葉", "もりの ふたば", "係長", kind="自治体担当者")
        expect(page.get_by_text("森野 二葉さんの申込を受け付けました。")).to_be_visible()
        # the third passes the quota of 2: refused, saying why and what can be done
        _enter(page, "森野 三太", "もりの さんた", "就労支援員")
        summary = page.locator("#refused")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("定員を超えるため、受講決定として申し込めません")
        expect(summary).to_contain_text("自治体ごとの定員（2名）を超えています")
        expect(summary).to_contain_text("キャンセル待ちとして申し込むことはできます")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "apply-over-quota-390.png"), full_page=True)
        # the form kept what was typed; the contact person chooses the waiting list
        expect(page.get_by_label("氏名")).to_have_value("森野 三太")
        page.get_by_label("定員を超えている場合は、キャンセル待ちとして申し込む").check()
        page.get_by_role("button", name="申し込む").click()
        expect(page.get_by_text("森野 三太さんをキャンセル待ちとして受け付けました")).to_be_visible()
        rows = page.locator("table tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(2)).to_contain_text("キャンセル待ち")

        # edit one
        page.get_by_role("link", name=re.compile(r"変更\s*（森野 一郎）")).click()
        page.get_by_label("職種（例: 相談支援員、就労支援員、係長）").fill("主任相談支援員")
        page.get_by_role("button", name="変更を保存").click()
        expect(page.get_by_text("森野 一郎さんの内容を変更しました。")).to_be_visible()
        expect(rows.nth(0)).to_contain_text("主任相談支援員")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "apply-entries-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=str(artifacts / "apply-entries-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 900})
        # another municipality's entry cannot be opened through this link
        response = page.goto(f"{base}{path}/entries/{aoba_entry}")
        assert response.status == 404
        expect(page.get_by_text("青葉 花子")).to_have_count(0)

        # after the deadline: a clear refusal, nothing else
        with app.app_context():
            training = db.session.get(Training, training_id)
            kept = training.application_deadline
            training.application_deadline = participants.today_in_japan() - timedelta(days=1)
            db.session.commit()
        response = page.goto(base + path)
        assert response.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("申込ページを使えません")
        expect(page.get_by_role("alert")).to_contain_text("を過ぎたため、このページでは受け付けていません")
        expect(page.get_by_label("氏名")).to_have_count(0)
        page.screenshot(path=str(artifacts / "apply-after-deadline-390.png"), full_page=True)
        with app.app_context():
            db.session.get(Training, training_id).application_deadline = kept
            db.session.commit()
        page.goto(base + path)
        expect(page.get_by_role("button", name="申し込む")).to_be_visible()

        # the official revokes the link on her page
        office = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1280, "height": 900})
        official = office.new_page()
        official.on("dialog", lambda dialog: dialog.accept())
        try:
            _log_in(official, base)
            official.goto(f"{base}/trainings/{training_id}/participants")
            expect(official.get_by_text("森野 三太").first).to_be_visible()
            official.screenshot(path=str(artifacts / "participants-official-1280.png"), full_page=True)
            official.get_by_role("button", name=re.compile(r"取消\s*（もりの村）")).click()
            expect(official.get_by_text("もりの村の申込URLを取り消しました")).to_be_visible()
        finally:
            office.close()
        response = page.goto(base + path)
        assert response.status == 410
        expect(page.get_by_role("alert")).to_contain_text("この申込ページは県の担当者が閉じました")
        with app.app_context():
            names = db.session.scalars(db.select(Participant.name).filter_by(municipality_id=morino)
                                       .order_by(Participant.id)).all()
        assert names == ["森野 一郎", "森野 二葉", "森野 三太"]  # revoking keeps the entries
    finally:
        phone.close()


def test_the_officials_pages_fit_a_phone(demo_server, browser, artifacts):
    base, app = demo_server
    _, training_id, _ = _link(app, "あおば市")
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        _log_in(page, base)
        for path, shot in ((f"/trainings/{training_id}/participants", "participants-official-390.png"),
                           ("/municipalities", "municipalities-390.png")):
            page.goto(base + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            page.screenshot(path=str(artifacts / shot), full_page=True)
    finally:
        context.close()
