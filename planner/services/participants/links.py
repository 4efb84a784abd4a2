"""Each municipality's application link for a training: issued, reissued and revoked by the
official, and opened by the municipality's contact person without an account.

The URL carries (link id, nonce) signed with the app's secret (itsdangerous). A new nonce
(reissue) makes every earlier URL of the link stop working; revoked_at closes the link itself.
The link closes after the training's application deadline (the end of that day in Japan), so
moving the deadline moves the link's end too.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from itsdangerous import BadSignature, URLSafeSerializer

from planner.domain.dates import format_date_ja
from planner.models import ApplicationLink, Municipality, Participant, Training
from planner.models.account import utcnow
from planner.models.db import db
from planner.services.errors import rolled_back_on

SALT = "application-link"


class LinkRefused(Exception):
    """The link cannot be used: `status` is the HTTP status, the message is Japanese."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class LinkRow:
    """A municipality and its link (None before the first issue) on the participants page."""

    municipality: Municipality
    link: ApplicationLink | None


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def token_of(link: ApplicationLink, secret_key: str) -> str:
    return _serializer(secret_key).dumps([link.id, link.nonce])


def link_rows(training: Training, municipalities: list[Municipality]) -> list[LinkRow]:
    links = {link.municipality_id: link for link in db.session.scalars(
        db.select(ApplicationLink).filter_by(training_id=training.id))}
    return [LinkRow(m, links.get(m.id)) for m in municipalities]


def link_of(training: Training, municipality: Municipality) -> ApplicationLink | None:
    """The municipality's link for the training (None before the first issue)."""
    return db.session.scalar(db.select(ApplicationLink).filter_by(
        training_id=training.id, municipality_id=municipality.id))


def issue(training: Training, municipality: Municipality) -> ApplicationLink:
    """The municipality's link with a new nonce (created the first time, reopened if revoked):
    every URL sent before stops working. Commits."""
    link = link_of(training, municipality)
    if link is None:
        link = ApplicationLink(training_id=training.id, municipality_id=municipality.id)
        db.session.add(link)
    link.nonce = secrets.token_urlsafe(16)
    link.revoked_at = None
    db.session.commit()
    return link


def revoke(link: ApplicationLink) -> None:
    """Close the link; its entries stay. Commits."""
    link.revoked_at = utcnow()
    db.session.commit()


def is_open(link: ApplicationLink, today: date) -> bool:
    deadline = link.training.application_deadline
    return link.revoked_at is None and (deadline is None or today <= deadline)


def open_link(token: str, secret_key: str, today: date) -> ApplicationLink:
    """The link a URL names if it may be used today; LinkRefused (404, 410 or 403) otherwise."""
    with rolled_back_on(LinkRefused):
        return _open_link(token, secret_key, today)


def _open_link(token: str, secret_key: str, today: date) -> ApplicationLink:
    try:
        link_id, nonce = _serializer(secret_key).loads(token)
    except (BadSignature, ValueError, TypeError):
        raise LinkRefused(404, "このURLは正しくありません。メールで届いたURLを、途中で切れていないか確かめて開いてください。") from None
    link = db.session.get(ApplicationLink, link_id) if isinstance(link_id, int) else None
    if link is None:
        raise LinkRefused(404, "この申込ページはありません。県の担当者にお問い合わせください。")
    if link.nonce != nonce:
        raise LinkRefused(410, "このURLは使えなくなりました（新しいURLが発行されています）。"
                               "県から届いた最新のURLを開いてください。")
    if link.revoked_at is not None:
        raise LinkRefused(410, "この申込ページは県の担当者が閉じました。申込内容の変更は県の担当者にご連絡ください。")
    deadline = link.training.application_deadline
    if deadline is not None and today > deadline:
        raise LinkRefused(403, f"申込締切（{format_date_ja(deadline)}）を過ぎたため、このページでは受け付けていません。"
                               "申込内容の変更は県の担当者にご連絡ください。")
    return link


def find_link_entry(link: ApplicationLink, participant_id: int) -> Participant | None:
    """The entry of this link's municipality and training with this id, or None."""
    participant = db.session.get(Participant, participant_id)
    if (participant is None or participant.training_id != link.training_id
            or participant.municipality_id != link.municipality_id):
        return None
    return participant
