"""Links without an account for the survey, the groups' findings and the follow-up.

The token is HMAC-SHA256(app secret, "survey:" + salt), the salt random per link; the table
keeps only SHA-256(token). A copy of the database therefore cannot open a link, while the
server can print the same token again on a name card. A participant's link is one-time: the
answer and the `used` flag are written in one transaction, the flag by a conditional UPDATE,
so two submissions at once store one answer.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from planner.domain.dates import format_date_ja
from planner.models import Municipality, Participant, Training
from planner.models.db import db
from planner.models.survey import SurveyLink
from planner.services.errors import rolled_back_on
from planner.services.participants.attendance import day_participants

#: a participant's and the shared link close this many days after the training's last day
SURVEY_DAYS = 30
#: the follow-up asks three to six months after the training
FOLLOWUP_FROM, FOLLOWUP_UNTIL = timedelta(days=90), timedelta(days=183)


class LinkRefused(Exception):
    """The link cannot be used: `status` is the HTTP status, the message is Japanese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def token_of(link: SurveyLink, secret_key: str) -> str:
    """The link's token (URL-safe); only the server, with the secret, can make it."""
    digest = hmac.new(secret_key.encode(), f"survey:{link.salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(training: Training, purpose: str, secret_key: str, expires_on: date | None, **keys) -> SurveyLink:
    link = SurveyLink(training_id=training.id, purpose=purpose, salt=secrets.token_hex(16),
                      expires_on=expires_on, **keys)
    link.token_hash = hash_of(token_of(link, secret_key))
    db.session.add(link)
    return link


def _survey_end(training: Training) -> date | None:
    return training.last_day + timedelta(days=SURVEY_DAYS) if training.last_day else None


def links_of(training: Training, purpose: str) -> list[SurveyLink]:
    return list(db.session.scalars(sa.select(SurveyLink).filter_by(training_id=training.id, purpose=purpose)
                                   .order_by(SurveyLink.id)))


def refresh(link: SurveyLink, secret_key: str) -> SurveyLink:
    """Store the hash of the token the current key makes: after the secret key changed (or
    for the demo's rows) the server prints working codes again. The caller commits."""
    digest = hash_of(token_of(link, secret_key))
    if link.token_hash != digest:
        link.token_hash = digest
    return link


def ensure_participant_links(training: Training, secret_key: str) -> dict[int, SurveyLink]:
    """A link for every accepted participant (made the first time), by participant id. Commits."""
    links = {link.participant_id: refresh(link, secret_key) for link in links_of(training, "participant")}
    for person in day_participants(training):
        if person.id not in links:
            links[person.id] = _new_link(training, "participant", secret_key, _survey_end(training),
                                         participant_id=person.id, municipality_id=person.municipality_id)
    db.session.commit()
    return links


def participant_urls(training: Training, secret_key: str, url_for_token: Callable[[str], str]) -> dict[int, str]:
    """Each accepted participant's survey URL, by participant id (links made as needed)."""
    return {pid: url_for_token(token_of(link, secret_key))
            for pid, link in ensure_participant_links(training, secret_key).items()}


def _one(training: Training, purpose: str, secret_key: str, expires_on: date | None, **keys) -> SurveyLink:
    link = db.session.scalar(sa.select(SurveyLink).filter_by(training_id=training.id, purpose=purpose, **keys))
    if link is None:
        link = _new_link(training, purpose, secret_key, expires_on, **keys)
    refresh(link, secret_key)
    if db.session.dirty or db.session.new:
        db.session.commit()
    return link


def shared_link(training: Training, secret_key: str) -> SurveyLink:
    """The shared link printed on the 研修次第 for those without a personal one. Commits."""
    return _one(training, "shared", secret_key, _survey_end(training))


def group_link(training: Training, group_no: int, secret_key: str) -> SurveyLink:
    """Group `group_no`'s link to record its findings. Commits."""
    return _one(training, "group", secret_key, _survey_end(training), group_no=group_no)


def followup_link(training: Training, municipality: Municipality, secret_key: str) -> SurveyLink:
    """The municipality's follow-up link, open until six months after the training. Commits."""
    end = training.last_day + FOLLOWUP_UNTIL if training.last_day else None
    return _one(training, "followup", secret_key, end, municipality_id=municipality.id)


def open_link(token: str, purposes: tuple[str, ...], today: date) -> SurveyLink:
    """The link a token names if it may be used today; LinkRefused (404, 410, rolled back) otherwise."""
    with rolled_back_on(LinkRefused):
        return _open_link(token, purposes, today)


def _open_link(token: str, purposes: tuple[str, ...], today: date) -> SurveyLink:
    link = db.session.scalar(sa.select(SurveyLink).filter_by(token_hash=hash_of(token))) if len(token) < 100 else None
    if link is None or link.purpose not in purposes:
        raise LinkRefused(404, "このURLは正しくありません。QRコードを読み直すか、届いたURLを途中で切れていないか確かめて開いてください。")
    if link.used:
        raise LinkRefused(410, "このアンケートは、このURLからすでに回答済みです。ご協力ありがとうございました。")
    if link.expires_on is not None and today > link.expires_on:
        raise LinkRefused(410, f"回答の受付は{format_date_ja(link.expires_on)}で終了しました。")
    return link


def mark_used(link: SurveyLink) -> bool:
    """Mark a participant's link used in the caller's transaction; False if it already was
    (another submission won), so the caller rolls back."""
    done = db.session.execute(sa.update(SurveyLink).where(SurveyLink.id == link.id, SurveyLink.used.is_(False))
                              .values(used=True))
    return done.rowcount == 1


@dataclass(frozen=True)
class MunicipalityRate:
    """How many of a municipality's participants have answered (None: 関係機関 without one)."""

    name: str
    expected: int
    answered: int


def response_rates(training: Training) -> list[MunicipalityRate]:
    """Per municipality, links used of the participants' links, by municipality code."""
    rows = db.session.execute(
        sa.select(Municipality.code, Municipality.name, sa.func.count(SurveyLink.id),
                  sa.func.sum(sa.case((SurveyLink.used, 1), else_=0)))
        .select_from(SurveyLink).outerjoin(Municipality, SurveyLink.municipality_id == Municipality.id)
        .where(SurveyLink.training_id == training.id, SurveyLink.purpose == "participant")
        .group_by(Municipality.code, Municipality.name).order_by(Municipality.code.is_(None), Municipality.code))
    return [MunicipalityRate(name or "市町村なし（関係機関など）", expected, int(answered or 0))
            for _code, name, expected, answered in rows]


def not_answered(training: Training) -> list[tuple[Participant, SurveyLink]]:
    """The participants whose link is not used yet, for reminders."""
    return list(db.session.execute(
        sa.select(Participant, SurveyLink).join(SurveyLink, SurveyLink.participant_id == Participant.id)
        .where(SurveyLink.training_id == training.id, SurveyLink.purpose == "participant",
               SurveyLink.used.is_(False)).order_by(Participant.kana, Participant.id)))


def shared_url(training: Training, secret_key: str, url_for_token: Callable[[str], str]) -> str | None:
    """The shared survey URL for the 研修次第 once the training has a survey (questions), else None."""
    if not training.survey_questions:
        return None
    return url_for_token(token_of(shared_link(training, secret_key), secret_key))


def existing_participant_urls(training: Training, secret_key: str,
                              url_for_token: Callable[[str], str]) -> dict[int, str]:
    """The survey URLs of the participants whose link was made (nothing is written)."""
    return {link.participant_id: url_for_token(token_of(link, secret_key))
            for link in links_of(training, "participant") if link.participant_id is not None}
