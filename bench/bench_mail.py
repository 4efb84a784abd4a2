"""Mail throughput: messages queued (outbox rows, one commit each as a change would) and sent
per second to a local SMTP server (aiosmtpd in this process), against bare smtplib sending
the same messages over one connection in the same run.

Usage: .venv/bin/python bench/bench_mail.py [--messages 500] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""
from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from planner.models import OutboxMessage, Prefecture  # noqa: E402
from planner.models.db import db  # noqa: E402
from planner.services.mail.outbox import MailSettings, deliver, queue  # noqa: E402
from tests.databases import fresh_database  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

SUBJECT = "【伝達研修】前期共通 B 講師役（第2版 令和8年1月20日現在）"
BODY = "臼杵 太郎 様\n\n次の担当の予定をお送りします。カレンダーに追加してください。\n" * 5


def run(url: str, count: int, smtp: SmtpServer, folder: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "MAIL_OUTBOX_DIR": str(folder),
                      **smtp.config()})
    with app.app_context():
        db.create_all()
        prefecture = Prefecture(name="ベンチ県")
        db.session.add(prefecture)
        db.session.commit()
        settings = MailSettings.from_config(app.config)

        start = time.perf_counter()
        for i in range(count):
            queue(settings, prefecture.id, "calendar", f"臼杵 太郎{i}", f"member{i}@example.jp",
                  f"{SUBJECT} {i}", BODY)
            db.session.commit()
        queued = time.perf_counter() - start

        start = time.perf_counter()
        report = deliver(settings, limit=count)
        sent = time.perf_counter() - start
        assert report.sent == count, report

        raws = [(r.recipient, r.raw) for r in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))]
        before = len(smtp.inbox.received)
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", smtp.port) as bare:
            for recipient, raw in raws:
                bare.sendmail("no-reply@planner.example.jp", [recipient], raw)
        bare_time = time.perf_counter() - start
        assert len(smtp.inbox.received) - before == count
        db.session.remove()
        db.drop_all()
        db.engine.dispose()

    engine = url.split(":", 1)[0].split("+")[0]
    print(f"{engine}: {count} messages")
    print(f"  queued (one commit each)      {count / queued:8.0f} msg/s")
    print(f"  sent from the outbox          {count / sent:8.0f} msg/s  (claim + send + mark per message)")
    print(f"  bare smtplib, same messages   {count / bare_time:8.0f} msg/s")
    print(f"  outbox sending / bare smtplib  {bare_time / sent:7.2f}")
    print(f"  queue + send / bare smtplib    {bare_time / (queued + sent):7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--pg", help="PostgreSQL URL (a throwaway schema is used)")
    args = parser.parse_args()
    smtp = SmtpServer()
    smtp.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            with fresh_database(Path(tmp) / "bench.sqlite", base="") as url:
                run(url, args.messages, smtp, Path(tmp) / "outbox")
            if args.pg:
                with fresh_database(Path(tmp) / "unused.sqlite", base=args.pg) as url:
                    run(url, args.messages, smtp, Path(tmp) / "outbox")
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
