"""Who attends a training: the prefecture's municipalities, their application links, the
participants they send, and the groups of the group work."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from planner.models.account import Prefecture, utcnow
from planner.models.db import db
from planner.models.plan import Training
from planner.models.team import TeamMember

#: the kinds of municipality in the prefecture's list (地方自治法: 指定都市, 中核市, then 市・町・村)
MUNICIPALITY_TYPES = {"designated_city": "政令市", "core_city": "中核市", "city": "市",
                      "town": "町", "village": "村"}
#: who a participant is (source: 支援員 + 「関係機関や自治体担当者の参加も可能とする」)
PARTICIPANT_KINDS = {"worker": "支援員", "official": "自治体担当者", "agency": "関係機関"}
#: where a participant stands: in the training, on the waiting list, or declined by the official
PARTICIPANT_STATUSES = {"accepted": "受講決定", "waiting": "キャンセル待ち", "declined": "お断り"}


class Municipality(db.Model):
    """A municipality of the prefecture, with its 全国地方公共団体コード (6 digits with check digit)."""

    __table_args__ = (sa.UniqueConstraint("prefecture_id", "code"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    prefecture_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("prefecture.id", ondelete="CASCADE"), index=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(6))
    name: so.Mapped[str] = so.mapped_column(sa.String(50))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    #: the municipality's contact person for trainings (宛先 of notices and links)
    contact_name: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="", server_default="")

    prefecture: so.Mapped[Prefecture] = so.relationship()


class ApplicationLink(db.Model):
    """One municipality's link to apply for one training. The URL is signed over (id, nonce):
    a new nonce revokes every URL sent before; the link closes at the application deadline."""

    __table_args__ = (sa.UniqueConstraint("training_id", "municipality_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    municipality_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("municipality.id", ondelete="CASCADE"), index=True)
    nonce: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    revoked_at: so.Mapped[datetime | None]
    #: raised by every write of this municipality's entries, so they run one at a time
    #: and the quota is counted after the previous write committed
    entry_version: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    #: the nonce whose URL was last mailed to the contact person ('' never): a bulk send
    #: mails a link once per nonce, however often it is pressed
    mailed_nonce: so.Mapped[str] = so.mapped_column(sa.String(64), default="", server_default="")

    training: so.Mapped[Training] = so.relationship()
    municipality: so.Mapped[Municipality] = so.relationship()


class Participant(db.Model):
    """A person who applied for a training, with what reception and the groups need."""

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    #: None for a 関係機関 entered by the official without a municipality
    municipality_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("municipality.id", ondelete="SET NULL"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))
    kana: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    affiliation: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    kind: so.Mapped[str] = so.mapped_column(sa.String(20), default="worker", server_default="worker")
    #: job title as written (e.g. 相談支援員, 主任相談支援員, 就労支援員, 福祉課 係長)
    job: so.Mapped[str] = so.mapped_column(sa.String(100), default="", server_default="")
    email: so.Mapped[str] = so.mapped_column(sa.String(254), default="", server_default="")
    #: 手話通訳, 車いす, ... one per line
    needs: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="accepted", server_default="accepted")
    #: why it went to the waiting list (over quota, after the deadline, over capacity)
    waiting_reason: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    #: link, import or official
    entered_via: so.Mapped[str] = so.mapped_column(sa.String(20), default="official", server_default="official")
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)
    #: ticked at reception; certificates go to those who attended
    attended_at: so.Mapped[datetime | None]
    #: the group of the group work (1, 2, ...); None until groups are made
    group_no: so.Mapped[int | None]
    #: the official pinned the participant to this group
    pinned_group: so.Mapped[int | None]

    training: so.Mapped[Training] = so.relationship()
    municipality: so.Mapped[Municipality | None] = so.relationship()


class KeepApart(db.Model):
    """Two participants the official wants in different groups."""

    __table_args__ = (sa.UniqueConstraint("first_id", "second_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    first_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True)
    second_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("participant.id", ondelete="CASCADE"), index=True)


class GroupFacilitator(db.Model):
    """The team member who facilitates one group of a training's group work."""

    __table_args__ = (sa.UniqueConstraint("training_id", "group_no"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    training_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("training.id", ondelete="CASCADE"), index=True)
    group_no: so.Mapped[int]
    member_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("team_member.id", ondelete="SET NULL"), index=True)

    member: so.Mapped[TeamMember | None] = so.relationship()
