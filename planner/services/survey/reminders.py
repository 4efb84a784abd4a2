"""Mail with the survey and follow-up links: each participant's own link (and a reminder to
those whose link is unused), each municipality contact's follow-up link. The text carries
everything (LGWAN strips attachments); the mails go through the outbox."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from planner.domain.dates import format_date_ja
from planner.models import Training
from planner.models.db import db
from planner.services.mail import outbox as mail_service
from planner.services.plans.editions import curriculum_for
from planner.services.survey import followup, links


def _title(training: Training) -> str:
    return curriculum_for(training).title


def _sender(training: Training) -> str:
    prefecture = training.plan.prefecture
    return prefecture.letter_sender or prefecture.name


def survey_body(training: Training, name: str, url: str, remind: bool) -> str:
    held = f"（{format_date_ja(training.first_date)}）" if training.first_date else ""
    first = ("研修アンケートへのご回答がまだのようでしたら、お手数ですがご協力をお願いします。" if remind
             else "研修アンケートへのご協力をお願いします。スマートフォンで1〜2分で答えられます。")
    return (f"{name} 様\n\n{_title(training)}{held}にご参加いただき、ありがとうございました。\n{first}\n\n{url}\n\n"
            "このURLはあなた専用で、1回だけ回答できます。回答の内容はあなたの名前と結び付けずに記録され、"
            "県には回答したかどうかだけが分かります。\n"
            + (f"回答の受付は{format_date_ja(_expiry(training))}までです。\n" if _expiry(training) else "")
            + f"\n{_sender(training)}\n")


def _expiry(training: Training):
    return training.last_day + timedelta(days=links.SURVEY_DAYS) if training.last_day else None


def send_links(training: Training, settings: mail_service.MailSettings, secret_key: str,
               url_for_token: Callable[[str], str], remind: bool) -> int:
    """Queue the survey link to every participant with an address whose link is unused
    (remind: the same, worded as a reminder). Returns how many. Commits."""
    links.ensure_participant_links(training, secret_key)
    count = 0
    for person, link in links.not_answered(training):
        if not person.email:
            continue
        subject = f"【{'再送・' if remind else ''}研修アンケートのお願い】{_title(training)}"
        mail_service.queue(settings, training.plan.prefecture_id, "survey", person.name, person.email, subject,
                           survey_body(training, person.name, url_for_token(links.token_of(link, secret_key)), remind))
        link.reminded = link.reminded or remind
        count += 1
    db.session.commit()
    return count


def send_followups(training: Training, settings: mail_service.MailSettings, secret_key: str,
                   url_for_token: Callable[[str], str]) -> int:
    """Queue each attending municipality's follow-up link to its contact person. Commits."""
    count = 0
    for municipality, link in followup.issue_followups(training, secret_key):
        if not municipality.contact_email:
            continue
        body = (f"{municipality.name}\n{municipality.contact_name or '研修ご担当者'} 様\n\n"
                f"{_title(training)}（{format_date_ja(training.first_date) if training.first_date else ''}）に"
                "ご参加いただいた後、貴市町村で、この研修の内容を扱う研修や事例検討会を開催・参加されたかを"
                f"お聞きしています（1分ほどです）。\n\n{url_for_token(links.token_of(link, secret_key))}\n\n"
                f"回答は{format_date_ja(link.expires_on)}まで変更できます。\n\n{_sender(training)}\n")
        mail_service.queue(settings, training.plan.prefecture_id, "followup", municipality.contact_name or
                           municipality.name, municipality.contact_email,
                           f"【フォローアップ調査のお願い】{_title(training)}", body)
        count += 1
    db.session.commit()
    return count
