"""The municipality's application page: no account, the signed link is the key. Its contact
person enters, changes and removes the municipality's own participants until the deadline;
every other page of the app stays behind the login."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for

from planner.domain.participants import ParticipantEntry, open_kinds
from planner.models import ApplicationLink, Participant
from planner.models.participants import PARTICIPANT_KINDS, PARTICIPANT_STATUSES
from planner.services.errors import ChangeRefused
from planner.services.mail import link_mailing
from planner.services.participants import entries as participants
from planner.services.participants import links
from planner.services.plans.editions import curriculum_for
from planner.web import once
from planner.web.lazy import lazy_module
from planner.web.mail import settings as mail_settings
from planner.web.participant_forms import EntryForm

# the Word and Excel builders load with the first download, not in every server process
handouts, municipality_mails = lazy_module("exports.handouts"), lazy_module("exports.municipality_mails")

bp = Blueprint("apply", __name__, url_prefix="/apply")
ENTRY_FIELDS = ("name", "kana", "affiliation", "kind", "job", "email", "needs")


@bp.errorhandler(links.LinkRefused)
def _refused_page(refused: links.LinkRefused):
    """After the deadline, after revocation or for a broken URL: a page saying so, never a traceback."""
    return render_template("apply/refused.html", message=refused.message, status=refused.status), refused.status


def _link(token: str) -> ApplicationLink:
    return links.open_link(token, current_app.config["SECRET_KEY"], participants.today_in_japan())


def _own_entry(link: ApplicationLink, participant_id: int) -> Participant:
    """An entry of this link's municipality and training; anything else is a 404."""
    participant = links.find_link_entry(link, participant_id)
    if participant is None:
        abort(404)
    return participant


def _form(link: ApplicationLink, **kwargs) -> EntryForm:
    training = link.training
    return EntryForm(**kwargs).limit_kinds(open_kinds(training.open_to_officials, training.open_to_agencies))


def _entry(form: EntryForm) -> ParticipantEntry:
    return ParticipantEntry(**{name: getattr(form, name).data or "" for name in ENTRY_FIELDS})


def _page(token: str, link: ApplicationLink, form: EntryForm | None = None, refused=None,
          over_quota: bool = False, status: int = 200):
    training = link.training
    entries = participants.entries_of(training, link.municipality)
    return render_template(
        "apply/show.html", token=token, link=link, training=training, municipality=link.municipality,
        curriculum=curriculum_for(training), entries=entries, form=form or _form(link),
        refused=refused, over_quota=over_quota, kinds=PARTICIPANT_KINDS, statuses=PARTICIPANT_STATUSES,
        seats_left=max(0, training.per_municipality - sum(e.status == "accepted" for e in entries)),
        contact=handouts.contact_lines(training.plan.prefecture)), status


def _receipt(token: str, link: ApplicationLink):
    """The receipt's (subject, body) for the contact person: what changed, the municipality's
    whole list as it is now, and the link to change it."""
    def compose(what: str, entries: list[Participant]) -> tuple[str, str]:
        return municipality_mails.receipt_mail(
            link.training, link.municipality, url_for("apply.show", token=token, _external=True), what, entries)
    return compose


@bp.route("/<token>")
def show(token: str):
    return _page(token, _link(token))


@bp.route("/<token>", methods=["POST"])
def add(token: str):
    link = _link(token)
    form = _form(link)
    if not form.validate_on_submit():
        return _page(token, link, form=form, status=422)
    here = url_for("apply.show", token=token)
    answer = once.first_submit(here)
    if answer:
        return answer
    once.remember(here)
    try:
        row = link_mailing.add_by_link(link, _entry(form), form.waiting.data, mail_settings(), _receipt(token, link))
    except participants.NoSeat as refused:
        # over the quota or capacity: refused, and the contact person may choose the waiting list
        return _page(token, link, form=form, refused=refused.messages, over_quota=True, status=409)
    except ChangeRefused as refused:
        return _page(token, link, form=form, refused=refused.messages, status=422)
    if row.status == "waiting":
        flash(f"{row.name}さんをキャンセル待ちとして受け付けました（{row.waiting_reason}）。県が受講の可否を決めてご連絡します。",
              "warning")
    else:
        flash(f"{row.name}さんの申込を受け付けました。", "success")
    return redirect(here)


@bp.route("/<token>/entries/<int:participant_id>", methods=["GET", "POST"])
def edit(token: str, participant_id: int):
    link = _link(token)
    participant = _own_entry(link, participant_id)
    form = _form(link, obj=participant)
    refused = None
    if form.validate_on_submit():
        try:
            link_mailing.change_by_link(link, participant, _entry(form), mail_settings(), _receipt(token, link))
        except ChangeRefused as exc:
            refused = exc.messages
        else:
            flash(f"{participant.name}さんの内容を変更しました。", "success")
            return redirect(url_for("apply.show", token=token))
    status = 422 if form.errors or refused else 200
    return render_template("apply/edit.html", token=token, link=link, participant=participant, form=form,
                           refused=refused, curriculum=curriculum_for(link.training)), status


@bp.route("/<token>/entries/<int:participant_id>/delete", methods=["POST"])
def delete(token: str, participant_id: int):
    link = _link(token)
    participant = _own_entry(link, participant_id)
    name = link_mailing.remove_by_link(link, participant, mail_settings(), _receipt(token, link))
    flash(f"{name}さんの申込を取り消しました。", "success")
    return redirect(url_for("apply.show", token=token))
