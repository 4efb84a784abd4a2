"""Every page an official or a member can reach passes axe-core's WCAG 2.1 A and AA rules
(JIS X 8341-3 level AA) in Chromium, including the pages that show form errors and refusals,
at a desktop width and at a phone's 390 px, where no page may scroll sideways.

Each page is put in its state once and checked at both widths, the window resized in between
(CSS @media rules apply on a resize as on a load): half the pages here, loaded at the desktop
width, the other half in test_accessibility_phone.py, loaded at 390 px, so that another xdist
worker checks them meanwhile (tests/axe_check.py: what a check costs).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
from playwright.sync_api import expect

from planner.models import (
    Material,
    Milestone,
    Plan,
    Prefecture,
    RoleSlot,
    SupplementaryEvent,
    TeamMember,
)
from planner.models.db import db
from planner.services.accounts import make_invitation
from planner.services.demo import DEMO_PASSWORD
from tests.axe_check import axe_violations, failures_at_widths
from tests.conftest import BROWSER_TIMEOUT_MS, ROOT
from tests.factories import log_in_browser

pytestmark = pytest.mark.browser

OFFICIAL = "tanaka@midori.example.jp"
MEMBER = "sato@aoba.example.jp"
LIVE_SECRET = "test-live-server"  # the live server's SECRET_KEY (tests/conftest.py: serve)


@dataclass
class Ids:
    """The demo rows the pages are about."""

    plan: int
    common: int          # 前期共通 (the first training)
    chief: int           # 主任 (has a local subject)
    member: int          # a roster entry to edit
    slot: int            # a slot to assign
    taken_slot: int      # held by another member: a member's claim of it is refused
    open_slot: int       # open, in the member's view a claim button
    milestone: int
    prefecture: int
    supplement: int      # the symposium that supplements 共通 C
    job_support: int     # the job-support draft
    draft_row: int       # its subject B, to settle
    case_material: int = 0   # the demo's case sheet, with findings to settle


@pytest.fixture(scope="module")
def ids(demo_server) -> Ids:
    _, app = demo_server
    with app.app_context():
        plan = db.session.scalar(db.select(Plan))
        by_key = {t.curriculum_key: t for t in plan.trainings}
        takahashi = db.session.scalar(db.select(TeamMember).filter_by(email="takahashi@yamanaka.example.jp"))
        taken = db.session.scalar(db.select(RoleSlot).filter_by(holder_id=takahashi.id))
        open_slot = db.session.scalar(db.select(RoleSlot).filter_by(holder_id=None).order_by(RoleSlot.id))
        return Ids(plan=plan.id, common=by_key["common"].id, chief=by_key["chief"].id,
                   member=db.session.scalar(db.select(TeamMember).filter_by(email=MEMBER)).id,
                   slot=open_slot.id, taken_slot=taken.id, open_slot=open_slot.id,
                   milestone=db.session.scalar(db.select(Milestone).filter_by(kind="meeting")).id,
                   prefecture=db.session.scalar(db.select(Prefecture)).id,
                   supplement=db.session.scalar(db.select(SupplementaryEvent.id)),
                   job_support=by_key["job_support"].id,
                   draft_row=next(r.id for r in by_key["job_support"].subjects if r.letter == "B"),
                   case_material=db.session.scalar(db.select(Material.id).filter_by(is_case=True)))


def _log_in(page, base: str, email: str) -> None:
    log_in_browser(page, base, email, DEMO_PASSWORD)
    page.wait_for_url(f"{base}/")


@pytest.fixture(scope="module")
def sessions(browser, demo_server) -> dict[str, list[dict]]:
    """Cookies of a logged-in official and member (logging in once per module)."""
    base, _ = demo_server
    cookies = {"anonymous": []}
    for who, email in (("official", OFFICIAL), ("member", MEMBER)):
        context = browser.new_context(locale="ja-JP")
        _log_in(context.new_page(), base, email)
        cookies[who] = context.cookies()
        context.close()
    return cookies


@pytest.fixture(scope="module")
def tab(browser):
    """One page for all the module's checks; each test sets its own cookies and width. Half the
    time of a new context per check: that costs a new renderer process, a cold axe-core and a
    first load of the CSS (measured: 28 pages in 14 s instead of 30 s)."""
    context = browser.new_context(locale="ja-JP", viewport={"width": DESKTOP, "height": 900})
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield page
    context.close()


def as_who(page, cookies: list[dict], width: int) -> None:
    """The shared page as a fresh visitor with these cookies sees it, `width` px wide."""
    page.context.clear_cookies()
    page.context.add_cookies(cookies)
    page.set_viewport_size({"width": width, "height": 900})


# --------------------------------------------------------------------------- the pages
# Each visit puts the page in the state to check: (page, base URL, ids) -> None.

Visit = Callable[..., None]


def go(path: str) -> Visit:
    """Just open the page."""
    return lambda page, base, ids: page.goto(base + path.format(ids=ids))


def submit_empty(path: str, button: str) -> Visit:
    """Open a form and send it with its required fields empty, so the error summary shows."""
    def visit(page, base, ids):
        page.goto(base + path.format(ids=ids))
        for field in page.locator("form:has(button:text-is('%s')) input[type=text], "
                                  "form:has(button:text-is('%s')) input[type=email], "
                                  "form:has(button:text-is('%s')) input[type=password]"
                                  % (button, button, button)).all():
            field.fill("")
        page.get_by_role("button", name=button, exact=True).click()
        assert_focus_on("error-summary", page)
    return visit


def follow(page, link) -> None:
    """Click a link and wait for the page it opens: axe run on a page still being left finds no document."""
    with page.expect_navigation():
        link.click()


def assert_focus_on(element_id: str, page) -> None:
    """The error summary is shown and has the focus (autofocus), so it is read out first."""
    # expect() polls from Playwright's side: wait_for_function would eval in the page, which
    # the app's Content-Security-Policy (no 'unsafe-eval') refuses whenever it has to poll
    expect(page.locator(f"#{element_id}")).to_be_visible()
    expect(page.locator(f"#{element_id}")).to_be_focused()


def timetable_refused(page, base, ids):
    """A change the scheduler cannot fit: the refusal with its remedies."""
    page.goto(f"{base}/trainings/{ids.common}")
    page.get_by_label("生活困窮者支援を通じた地域づくりの時間（分）").fill("300")
    page.locator("tr", has_text="生活困窮者支援を通じた地域づくり").get_by_role("button", name="変更").click()
    assert_focus_on("refused", page)


def training_edit_errors(page, base, ids):
    page.goto(f"{base}/trainings/{ids.common}/edit")
    page.get_by_label("開催日").fill("2030-01-01")  # outside the plan's cycle
    page.get_by_role("button", name="保存して時間割を確認").click()
    assert_focus_on("error-summary", page)


def invitation_link(page, base, ids):
    page.goto(f"{base}/invitations")
    page.get_by_label("氏名（所属）").fill("小川 さくら（もりの村）")
    page.get_by_label("メールアドレス").fill("ogawa@morino.example.jp")
    page.get_by_role("button", name="招待メールを送る").click()
    expect(page.locator("#invite-link")).to_be_visible()


def timeline_refused(page, base, ids):
    page.goto(f"{base}/plans/{ids.plan}/timeline/")
    row = page.locator(f"#row-m{ids.milestone}")
    row.get_by_label("開始日").fill("1999-01-01")
    row.get_by_role("button").click()
    assert_focus_on("refused", page)


def accept_invitation(errors: bool) -> Visit:
    def visit(page, base, ids):
        token = make_invitation(LIVE_SECRET, ids.prefecture, "new@morino.example.jp", "新井 一")
        page.goto(f"{base}/join/{token}")
        if errors:
            page.get_by_label("氏名").fill("")
            page.get_by_role("button", name="登録する").click()
            assert_focus_on("error-summary", page)
    return visit


def meeting_answer(page, base, ids):
    """A member opens the 欠席 link of a meeting invitation mail (no login) and confirms."""
    from itsdangerous import URLSafeSerializer
    token = URLSafeSerializer(LIVE_SECRET, salt="meeting-answer").dumps(
        {"m": ids.milestone, "t": ids.member, "a": False})
    page.goto(f"{base}/meetings/answer/{token}")
    page.get_by_role("button", name="欠席で登録する").click()
    expect(page.get_by_role("heading", name="出欠を登録しました")).to_be_visible()


def claim_refused(page, base, ids):
    """A member claims a slot someone took meanwhile (the form is pointed at that slot)."""
    page.goto(f"{base}/plans/{ids.plan}/roles")
    form = page.locator(f"#slot-{ids.open_slot} form")
    form.evaluate("(f, url) => f.action = url", f"{base}/plans/{ids.plan}/roles/{ids.taken_slot}/claim")
    form.get_by_role("button").click()
    expect(page.get_by_role("alert").first).to_be_visible()


def roster_import_refused(page, base, ids):
    """The roster with its format explained (opened) and a refused file's message."""
    page.goto(f"{base}/plans/{ids.plan}/team")
    page.get_by_text("ファイルの書き方").click()
    page.get_by_label("名簿ファイル（Excel .xlsx または CSV）").set_input_files(
        files=[{"name": "名簿.csv", "mimeType": "text/csv", "buffer": "氏名,所属自治体\r\n".encode()}])
    page.get_by_role("button", name="取り込む").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    page.get_by_text("ファイルの書き方").click()


def participant_import_refused(page, base, ids):
    """The day's papers page with a refused reply file (unknown municipality on line 2)."""
    page.goto(f"{base}/trainings/{ids.common}/participants/papers")
    page.get_by_label("申込ファイル（Excel .xlsx または CSV）").set_input_files(
        files=[{"name": "申込.csv", "mimeType": "text/csv", "buffer": "市町村,氏名\r\n宇佐市,山田\r\n".encode()}])
    page.get_by_role("button", name="取り込む").click()
    assert_focus_on("error-summary", page)


def programme(errors: bool) -> Visit:
    """The team's programme for 主任 C (it has options), opened from the timetable page."""
    def visit(page, base, ids):
        page.goto(f"{base}/trainings/{ids.chief}")
        follow(page, page.locator("ul.programme li", has_text="職員の資質向上").get_by_role("link"))
        if errors:
            field = page.get_by_label("特に伝えたい内容")
            field.evaluate("e => e.removeAttribute('maxlength')")  # as a client that ignores it
            field.fill("あ" * 4001)
            page.get_by_role("button", name="保存する").click()
            assert_focus_on("error-summary", page)
    return visit


def _apply_url(page, base, ids, municipality: str) -> str:
    """A municipality's application link as the official's page shows it; then the cookies go,
    so the link page is seen as its contact person sees it (no account)."""
    page.goto(f"{base}/trainings/{ids.common}/participants")
    url = page.locator(f"tr:has(th:text-is('{municipality}')) input.url").input_value()
    page.context.clear_cookies()
    return url


def apply_page(municipality: str, over_quota: bool = False, edit: bool = False) -> Visit:
    """The link page (いずみ市 has sent nobody; あおば市 is at its quota)."""
    def visit(page, base, ids):
        page.goto(_apply_url(page, base, ids, municipality))
        if over_quota:
            page.get_by_label("氏名").fill("定員 超子")
            page.get_by_role("button", name="申し込む").click()
            assert_focus_on("refused", page)
        if edit:
            follow(page, page.get_by_role("link", name="変更").first)
    return visit


def participant_settings_errors(page, base, ids):
    page.goto(f"{base}/trainings/{ids.common}/participants")
    page.get_by_label("1市町村あたりの受講者数（上限）").fill("0")
    page.get_by_role("button", name="保存する", exact=True).click()
    assert_focus_on("error-summary", page)


def municipality_edit(page, base, ids):
    page.goto(f"{base}/municipalities")
    follow(page, page.get_by_role("link", name="変更").first)


def groups_errors(page, base, ids):
    """「班を作る」 with a group size out of range: the error summary."""
    page.goto(f"{base}/trainings/{ids.common}/groups")
    page.get_by_label("1班の人数").fill("1")
    page.get_by_role("button", name="班を作る").click()
    assert_focus_on("error-summary", page)


def material_upload_refused(page, base, ids):
    """A renamed executable sent as a new version of the case sheet: refused, with the reason."""
    page.goto(f"{base}/trainings/{ids.common}/materials")
    card = page.locator(f"#material-{ids.case_material}")
    card.get_by_label("新しい版のファイル").set_input_files(
        files=[{"name": "事例.docx", "mimeType": "application/octet-stream", "buffer": b"MZ" + bytes(200)}])
    card.get_by_role("button", name="新しい版を保存").click()
    assert_focus_on("refused", page)


def findings_errors(page, base, ids):
    """The replacement table sent with an empty replacement: the summary says which row."""
    page.goto(f"{base}/materials/{ids.case_material}/findings")
    page.get_by_label("1行目を置き換える文字").fill("")
    page.get_by_role("button", name="すべて確定する").click()
    assert_focus_on("refused", page)


PAGES: dict[str, tuple[str, Visit]] = {
    # anyone
    "login": ("anonymous", go("/login")),
    "login-errors": ("anonymous", submit_empty("/login", "ログイン")),
    "invitation-invalid": ("anonymous", go("/join/not-a-real-token")),
    "meeting-answer": ("anonymous", meeting_answer),
    "invitation-accept": ("anonymous", accept_invitation(errors=False)),
    "invitation-accept-errors": ("anonymous", accept_invitation(errors=True)),
    # the official
    "official-plans": ("official", go("/")),
    "official-plan-new": ("official", go("/plans/new")),
    "official-plan-new-errors": ("official", submit_empty("/plans/new", "作成する（4つの研修を用意）")),
    "official-plan": ("official", go("/plans/{ids.plan}")),
    "official-plan-delete": ("official", go("/plans/{ids.plan}/delete")),
    "official-training-edit": ("official", go("/trainings/{ids.common}/edit")),
    "official-training-edit-errors": ("official", training_edit_errors),
    "official-programme": ("official", programme(errors=False)),
    "official-programme-errors": ("official", programme(errors=True)),
    "member-programme": ("member", programme(errors=False)),
    "official-timetable": ("official", go("/trainings/{ids.chief}")),
    "official-timetable-refused": ("official", timetable_refused),
    "official-timetable-local-errors": ("official", submit_empty("/trainings/{ids.common}", "追加する")),
    "official-supplement-new": ("official", go("/supplements/new/{ids.common}")),
    "official-supplement-new-errors": ("official", submit_empty("/supplements/new/{ids.common}", "保存する")),
    "official-supplement": ("official", go("/supplements/{ids.supplement}")),
    "official-supplement-edit": ("official", go("/supplements/{ids.supplement}/edit")),
    "official-supplement-delete": ("official", go("/supplements/{ids.supplement}/delete")),
    "member-supplement": ("member", go("/supplements/{ids.supplement}")),
    "official-draft-subject": ("official", go("/trainings/{ids.job_support}/subjects/{ids.draft_row}/draft")),
    "official-draft-subject-errors": ("official", submit_empty(
        "/trainings/{ids.job_support}/subjects/{ids.draft_row}/draft", "保存する")),
    "official-roster": ("official", go("/plans/{ids.plan}/team")),
    "official-roster-import-refused": ("official", roster_import_refused),
    "official-member-new": ("official", go("/plans/{ids.plan}/team/new")),
    "official-member-new-errors": ("official", submit_empty("/plans/{ids.plan}/team/new", "保存する")),
    "official-member-edit": ("official", go("/plans/{ids.plan}/team/{ids.member}/edit")),
    "official-roles": ("official", go("/plans/{ids.plan}/roles")),
    "official-assign": ("official", go("/plans/{ids.plan}/roles/{ids.slot}/assign")),
    "official-suggest": ("official", go("/plans/{ids.plan}/roles/suggest")),
    "official-my-roles": ("official", go("/my/roles")),
    "official-invitations": ("official", go("/invitations")),
    "official-invitations-link": ("official", invitation_link),
    "official-invitations-errors": ("official", submit_empty("/invitations", "招待メールを送る")),
    "official-outbox": ("official", go("/outbox")),
    "official-versions": ("official", go("/trainings/{ids.chief}/versions")),
    "official-meeting": ("official", go("/plans/{ids.plan}/meetings/{ids.milestone}")),
    "member-meeting": ("member", go("/plans/{ids.plan}/meetings/{ids.milestone}")),
    "official-timeline": ("official", go("/plans/{ids.plan}/timeline/")),
    "official-timeline-refused": ("official", timeline_refused),
    "official-feed": ("official", go("/feeds")),
    "official-settings": ("official", go("/settings")),
    "official-settings-errors": ("official", submit_empty("/settings", "保存する")),
    "official-not-found": ("official", go("/plans/999999")),
    "official-password": ("official", go("/account/password")),
    "official-password-errors": ("official", submit_empty("/account/password", "変更する")),
    "official-groups": ("official", go("/trainings/{ids.common}/groups")),
    "official-groups-errors": ("official", groups_errors),
    "official-reception": ("official", go("/trainings/{ids.common}/reception")),
    "official-reception-filtered": ("official", go("/trainings/{ids.common}/reception?q=あおば")),
    "official-participant-papers": ("official", go("/trainings/{ids.common}/participants/papers")),
    "official-participant-import-refused": ("official", participant_import_refused),
    "official-year-coverage": ("official", go("/plans/{ids.plan}/participants/coverage")),
    # a member
    "member-plans": ("member", go("/")),
    "member-plan": ("member", go("/plans/{ids.plan}")),
    "member-timetable": ("member", go("/trainings/{ids.chief}")),
    "member-roster": ("member", go("/plans/{ids.plan}/team")),
    "member-roles": ("member", go("/plans/{ids.plan}/roles")),
    "member-roles-claim-refused": ("member", claim_refused),
    "member-my-roles": ("member", go("/my/roles")),
    "member-timeline": ("member", go("/plans/{ids.plan}/timeline/")),
    "member-feed": ("member", go("/feeds")),
    "member-forbidden": ("member", go("/plans/new")),
    # participants (issue 14): the official's pages and a municipality's link
    "official-municipalities": ("official", go("/municipalities")),
    "official-municipalities-errors": ("official", submit_empty("/municipalities", "追加する")),
    "official-municipality-edit": ("official", municipality_edit),
    "official-participants": ("official", go("/trainings/{ids.common}/participants")),
    "official-participants-errors": ("official", participant_settings_errors),
    "apply": ("official", apply_page("いずみ市")),
    "apply-over-quota": ("official", apply_page("あおば市", over_quota=True)),
    "apply-edit": ("official", apply_page("あおば市", edit=True)),
    "apply-refused": ("anonymous", go("/apply/not-a-token")),
    # materials
    "official-materials": ("official", go("/trainings/{ids.common}/materials")),
    "official-materials-refused": ("official", material_upload_refused),
    "official-material-delete": ("official", go("/materials/{ids.case_material}/delete")),
    "official-findings": ("official", go("/materials/{ids.case_material}/findings")),
    "official-findings-errors": ("official", findings_errors),
    "member-materials": ("member", go("/trainings/{ids.common}/materials")),
    "member-findings": ("member", go("/materials/{ids.case_material}/findings")),
}

#: rules switched off for one page only, with the reason; empty when every rule applies
DISABLED: dict[str, dict[str, str]] = {}


#: a desktop window, and an iPhone 12-15's CSS width
DESKTOP, PHONE = 1280, 390
WIDTHS = (DESKTOP, PHONE)
#: pages kept as screenshots in test-artifacts/, to look at by eye
SCREENSHOTS = {"official-plan", "official-roster", "official-roles", "official-timeline",
               "official-timetable", "member-roles", "member-my-roles", "official-suggest",
               "official-groups", "official-reception", "official-participant-papers", "official-year-coverage",
               "official-materials", "official-findings"}


@pytest.mark.parametrize("name", list(PAGES)[::2])
def test_page_has_no_wcag_aa_violations(name, demo_server, ids, sessions, tab, artifacts):
    check_page(name, (DESKTOP, PHONE), demo_server, ids, sessions, tab, artifacts)


def check_page(name: str, widths: tuple[int, ...], demo_server, ids: Ids, sessions, page, artifacts) -> None:
    """Put the page in its state at the first of `widths`, then at each width: axe finds nothing and
    the page does not scroll sideways; lang is ja."""
    base, _ = demo_server
    who, visit = PAGES[name]
    as_who(page, sessions[who], widths[0])
    visit(page, base, ids)
    lang = page.locator("html").get_attribute("lang")
    failures = failures_at_widths(page, name, widths, artifacts if name in SCREENSHOTS else None,
                                  disabled=tuple(DISABLED.get(name, ())))

    assert lang == "ja"
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- the check itself

LOW_CONTRAST = """<!doctype html><html lang="ja"><head><title>試し</title></head><body><main>
<h1>見出し</h1><p style="color:#bbb">薄い文字</p>
<table class="stack"><tr><td style="color:#bbb">表の薄い文字</td></tr></table>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">
</main></body></html>"""


def test_the_check_fails_on_low_contrast_and_on_other_rules_at_both_widths(tab):
    """The check itself: low-contrast text and an image without alt are found at both widths, in a
    page checked as the pages above are (loaded once, resized)."""
    tab.goto("about:blank")  # no app page's Content-Security-Policy, which refuses inline styles
    tab.set_content(LOW_CONTRAST)
    tab.add_style_tag(path=str(ROOT / "static" / "style.css"))
    found = {}
    for width in (DESKTOP, PHONE):
        tab.set_viewport_size({"width": width, "height": 900})
        found[width] = {(v["id"], " ".join(map(str, n["target"])))
                        for v in axe_violations(tab) for n in v["nodes"]}
    expected = {("color-contrast", "p"), ("color-contrast", "td"), ("image-alt", "img")}
    assert found == {DESKTOP: expected, PHONE: expected}
