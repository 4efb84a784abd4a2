"""Screenshots for README's tour, taken from the demo so they are renewed with the app.

    .venv/bin/python docs/screenshots.py            # writes docs/img/*.png

Builds the demo in a throwaway SQLite file, serves it with waitress, and photographs with
Debian's Chromium (Playwright): the timetable at 1280 px, a member's roles on a phone (390 px),
and the first page of a 研修次第 rendered by LibreOffice (needs libreoffice and pdftoppm).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def build_demo(url: str) -> tuple[int, int, str, str]:
    """The demo in the database at `url`; returns (plan id, first training id, official, member)."""
    from app import create_app
    from planner.models import Plan
    from planner.models.db import db
    from planner.services.demo import DEMO_PEOPLE, load_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "screenshots"})
    with app.app_context():
        db.create_all()
        load_demo()
        plan = db.session.scalars(db.select(Plan)).first()
        training_id = plan.trainings[0].id
        plan_id = plan.id
        db.engine.dispose()
    official = next(email for email, _, role in DEMO_PEOPLE if role == "official")
    member = next(email for email, _, role in DEMO_PEOPLE if role != "official")
    return plan_id, training_id, official, member


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(url: str, folder: Path) -> tuple[subprocess.Popen, str]:
    """waitress on a free port, as README's production command runs it."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "screenshots", "SESSION_COOKIE_SECURE": "0",
           "MAIL_SERVER": "", "MAIL_OUTBOX_DIR": str(folder / "outbox")}
    proc = subprocess.Popen([sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}",
                             "--call", "app:create_app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def log_in(page, base: str, email: str) -> None:
    from planner.services.demo import DEMO_PASSWORD

    page.goto(f"{base}/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def docx_first_page(data: bytes, folder: Path, target: Path) -> None:
    """A .docx as its recipient sees it: LibreOffice to PDF, then page 1 to PNG."""
    source = folder / "agenda.docx"
    source.write_bytes(data)
    subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                    str(folder / "agenda.pdf"), str(target.with_suffix(""))], check=True, timeout=60)


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'demo.sqlite'}"
        plan_id, training_id, official, member = build_demo(url)
        server, base = serve(url, folder)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                desk = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                           viewport={"width": 1280, "height": 900})
                page = desk.new_page()
                log_in(page, base, official)
                page.goto(f"{base}/trainings/{training_id}")
                page.screenshot(path=str(OUT / "timetable.png"))
                response = page.request.get(f"{base}/trainings/{training_id}/agenda.docx")
                docx_first_page(response.body(), folder, OUT / "agenda.png")

                phone = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", is_mobile=True,
                                            viewport={"width": 390, "height": 844})
                page = phone.new_page()
                log_in(page, base, member)
                page.goto(f"{base}/plans/{plan_id}/roles")
                page.screenshot(path=str(OUT / "roles-phone.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for name in ("timetable.png", "roles-phone.png", "agenda.png"):
        print(OUT / name)


if __name__ == "__main__":
    main()
