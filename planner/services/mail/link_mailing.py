"""Mail to the municipalities' contact persons: every link of a training (or of a whole plan)
issued and mailed in one action with the 開催通知 attached, the receipt after each change made
through a link, and the official's decision on a waiting entry.

A notice never leaves with gaps: a training whose 開催通知 would read 「第　　号」 or 「申込締切
未定」 (planner.services.participants.notice_checks) is held back whole, its links neither issued
nor mailed, until the official fills them in.

A link is mailed once per nonce (ApplicationLink.mailed_nonce, set by a conditional UPDATE in
the transaction that queues the mail): pressing the bulk action again, or two officials
pressing it at once, mails nobody twice. Missing links are created under the training's
participants lock (planner.services.participants.entries.lock_entries), so two sends never create
one link twice.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from planner.domain.participants import ParticipantEntry
from planner.models import ApplicationLink, Municipality, Participant, Plan, Training
from planner.models.db import db
from planner.services.mail.outbox import FilePart, MailSettings, queue, queue_with_files
from planner.services.participants import municipalities as municipality_service
from planner.services.participants.entries import (
    add_entries,
    decide_waiting,
    lock_entries,
    remove_entry,
    today_in_japan,
    update_entry,
)
from planner.services.participants.notice_checks import notice_problems

#: what each municipality gets from a bulk send (the confirmation page's words); HELD: the
#: training's 開催通知 has gaps, so nothing of it is sent
NEW, RESEND_NOT_NEEDED, MAIL, NO_ADDRESS, REVOKED, CLOSED, HELD = (
    "new", "done", "mail", "no_address", "revoked", "closed", "held")

#: (training, municipality, link) -> (subject, body, files); written by the web layer
Compose = Callable[[Training, Municipality, ApplicationLink], tuple[str, str, list[FilePart]]]
#: (what changed, the municipality's entries now) -> (subject, body) of the receipt; written by the web layer
ComposeReceipt = Callable[[str, list[Participant]], tuple[str, str]]


@dataclass(frozen=True)
class Target:
    """One municipality of a bulk send and what the send will do for it."""

    training: Training
    municipality: Municipality
    action: str  # NEW (issue and mail), MAIL (mail the link it has), done, no_address, revoked, closed, held


@dataclass
class SendReport:
    """What a bulk send did: links issued, mails queued, and who could not be mailed."""

    issued: int = 0
    mailed: list[str] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    #: trainings whose application deadline has passed: a link would open to a refusal
    closed: list[Training] = field(default_factory=list)
    #: trainings held back with what their 開催通知 lacks (nothing of them issued or mailed)
    held: list[tuple[Training, list[str]]] = field(default_factory=list)


def _links(training: Training) -> dict[int, ApplicationLink]:
    # populate_existing: after the lock, read what the previous writer committed
    return {link.municipality_id: link for link in db.session.scalars(
        db.select(ApplicationLink).filter_by(training_id=training.id).execution_options(populate_existing=True))}


def _action(municipality: Municipality, link: ApplicationLink | None) -> str:
    if link is not None and link.revoked_at is not None:
        return REVOKED  # closed on purpose: the official reopens it one by one
    if not municipality.contact_email:
        return NO_ADDRESS
    if link is None:
        return NEW
    return RESEND_NOT_NEEDED if link.mailed_nonce == link.nonce else MAIL


def is_closed(training: Training) -> bool:
    """Past the application deadline: nothing to send (the link page would refuse)."""
    deadline = training.application_deadline
    return deadline is not None and today_in_japan() > deadline


def held_back(trainings: list[Training]) -> list[tuple[Training, list[str]]]:
    """The trainings (still open for applications) whose 開催通知 has gaps, with the gaps."""
    found = [(training, notice_problems(training)) for training in trainings if not is_closed(training)]
    return [(training, problems) for training, problems in found if problems]


def targets(trainings: list[Training]) -> list[Target]:
    """What a bulk send of these trainings would do, per municipality; writes nothing."""
    result = []
    held = {training.id for training, _ in held_back(trainings)}
    for training in trainings:
        links = _links(training)
        closed = is_closed(training)
        for municipality in municipality_service.municipalities(training.plan.prefecture):
            if closed or training.id in held:
                action = CLOSED if closed else HELD
            else:
                action = _action(municipality, links.get(municipality.id))
            result.append(Target(training, municipality, action))
    return result


def _issue_missing(training: Training, report: SendReport) -> list[tuple[Municipality, ApplicationLink]]:
    """Under the training's lock: create the links it lacks; returns the links to mail now."""
    lock_entries(training, None)
    db.session.refresh(training)  # the deadline and the notice's fields as last saved, read under the lock
    if is_closed(training):
        report.closed.append(training)
        return []
    problems = notice_problems(training)
    if problems:  # a notice with 「第　　号」 or 「未定」 never leaves the office
        report.held.append((training, problems))
        return []
    links = _links(training)
    to_mail = []
    for municipality in municipality_service.municipalities(training.plan.prefecture):
        link = links.get(municipality.id)
        action = _action(municipality, link)
        if action == REVOKED:
            report.revoked.append(municipality.name)
            continue
        if link is None:  # issued even without an address: the official can hand it over herself
            link = ApplicationLink(training_id=training.id, municipality_id=municipality.id,
                                   nonce=secrets.token_urlsafe(16))
            db.session.add(link)
            db.session.flush()
            report.issued += 1
        if action == NO_ADDRESS:
            report.no_address.append(municipality.name)
        elif action in (NEW, MAIL):
            to_mail.append((municipality, link))
    return to_mail


def _claim(link_id: int, nonce: str) -> bool:
    """Mark the link's URL as mailed unless someone did (or the URL changed) meanwhile: one
    conditional UPDATE, so of two senders exactly one matches (PostgreSQL re-checks the
    WHERE after the other's commit; SQLite writes one at a time)."""
    result = db.session.execute(
        sa.update(ApplicationLink)
        .where(ApplicationLink.id == link_id, ApplicationLink.nonce == nonce,
               ApplicationLink.mailed_nonce != nonce, ApplicationLink.revoked_at.is_(None))
        .values(mailed_nonce=nonce).execution_options(synchronize_session=False))
    return result.rowcount == 1


def issue_and_mail(trainings: list[Training], settings: MailSettings, compose: Compose) -> SendReport:
    """Issue every missing link of the trainings and mail each contact person the links not
    yet mailed. Three steps, so the slow part (a Word file per mail) holds no lock that the
    municipalities' own submits would wait for: issue the missing links under each training's
    lock (trainings in id order) and commit; compose the mails; then claim each link's mailing
    and queue its mail in one commit. A send running at the same time composes too, but
    claims nothing twice."""
    report = SendReport()
    try:
        pending = [(training, municipality, link) for training in sorted(trainings, key=lambda t: t.id)
                   for municipality, link in _issue_missing(training, report)]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    drafts = [(training, municipality, link.id, link.nonce, compose(training, municipality, link))
              for training, municipality, link in pending]
    try:
        for training, municipality, link_id, nonce, (subject, body, files) in drafts:
            if not _claim(link_id, nonce):
                continue
            queue_with_files(settings, training.plan.prefecture_id, "application_link",
                             municipality.contact_name or municipality.name, municipality.contact_email,
                             subject, body, files)
            report.mailed.append(municipality.name)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    report.no_address = sorted(set(report.no_address), key=report.no_address.index)
    report.revoked = sorted(set(report.revoked), key=report.revoked.index)
    return report


def plan_trainings(plan: Plan) -> list[Training]:
    return list(plan.trainings_by_date)


def queue_to_contact(settings: MailSettings, municipality: Municipality | None, kind: str,
                     subject: str, body: str) -> bool:
    """Queue a mail to the municipality's contact person in the caller's transaction;
    False when there is nobody to mail (no municipality, or no address)."""
    if municipality is None or not municipality.contact_email:
        return False
    queue(settings, municipality.prefecture_id, kind, municipality.contact_name or municipality.name,
          municipality.contact_email, subject, body)
    return True


def municipality_entries(training: Training, municipality: Municipality) -> list[Participant]:
    """The municipality's entries as the receipt lists them (in the order they came)."""
    return list(db.session.scalars(db.select(Participant).filter_by(
        training_id=training.id, municipality_id=municipality.id).order_by(Participant.id)))


def _commit_with_receipt(settings: MailSettings, link: ApplicationLink, what: str, compose: ComposeReceipt) -> None:
    """Queue the receipt to the contact person in the transaction of the change and commit: the
    municipality's whole list as it is now."""
    try:
        training, municipality = link.training, link.municipality
        subject, body = compose(what, municipality_entries(training, municipality))
        queue_to_contact(settings, municipality, "receipt", subject, body)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def add_by_link(link: ApplicationLink, entry: ParticipantEntry, waiting_ok: bool, settings: MailSettings,
                compose: ComposeReceipt) -> Participant:
    """Add an entry through a municipality's link, with its receipt, in one commit; NoSeat or ChangeRefused refuse it."""
    try:
        [row] = add_entries(link.training, link.municipality, [entry], "link", waiting_ok=waiting_ok, commit=False)
    except Exception:
        db.session.rollback()
        raise
    _commit_with_receipt(settings, link, f"{row.name}さんの申込", compose)
    return row


def change_by_link(link: ApplicationLink, participant: Participant, entry: ParticipantEntry,
                   settings: MailSettings, compose: ComposeReceipt) -> Participant:
    """Change an entry through its municipality's link, with the receipt, in one commit; ChangeRefused refuses it."""
    update_entry(participant, entry, commit=False)
    _commit_with_receipt(settings, link, f"{participant.name}さんの内容の変更", compose)
    return participant


def remove_by_link(link: ApplicationLink, participant: Participant, settings: MailSettings,
                   compose: ComposeReceipt) -> str:
    """Remove an entry through its municipality's link, with the receipt, in one commit; returns the name."""
    name = participant.name
    remove_entry(participant, commit=False)
    _commit_with_receipt(settings, link, f"{name}さんの申込の取り消し", compose)
    return name


def mail_link(settings: MailSettings, training: Training, municipality: Municipality, link: ApplicationLink,
              subject: str, body: str) -> None:
    """Queue one municipality's link mail to its contact person and mark the link mailed; commit."""
    queue(settings, training.plan.prefecture_id, "application_link",
          municipality.contact_name or municipality.name, municipality.contact_email, subject, body)
    link.mailed_nonce = link.nonce  # the bulk send then knows this URL has gone out
    db.session.commit()


def decide_with_mail(participant: Participant, accept: bool, settings: MailSettings,
                     compose: Callable[[Participant], tuple[str, str]]) -> bool:
    """Decide a waiting entry and queue the decision mail in one commit; False when nobody could be mailed."""
    try:
        decide_waiting(participant, accept, commit=False)
        # the contact person hears of the decision from the same commit that records it
        mailed = queue_to_contact(settings, participant.municipality, "decision", *compose(participant))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return mailed
