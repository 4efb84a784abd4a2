"""Who may take a seat: the rule that puts a new application in the training or on the waiting
list. Pure: no Flask, no database; planner.services.participants.entries counts and writes under a lock.

The source: 「研修受講者は１自治体から１名～数名程度とする」 (the per-municipality quota),
the training's capacity, and the application deadline. An entry that passes any of them is not
refused here but goes on the waiting list (キャンセル待ち) with its reason, for the official.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ACCEPTED, WAITING, DECLINED = "accepted", "waiting", "declined"


@dataclass(frozen=True)
class ParticipantEntry:
    """One participant as a municipality (link, file) or the official enters them."""

    name: str
    kana: str = ""
    affiliation: str = ""
    kind: str = "worker"
    job: str = ""
    email: str = ""
    needs: str = ""


@dataclass(frozen=True)
class Placement:
    """Where one new entry goes: `status` is 'accepted' or 'waiting'; `reason` says why it waits."""

    status: str
    reason: str = ""


def quota_reason(quota: int) -> str:
    return f"自治体ごとの定員（{quota}名）を超えています"


def capacity_reason(capacity: int) -> str:
    return f"研修の定員（{capacity}名）を超えています"


def late_reason(deadline: date) -> str:
    return f"申込締切（{deadline.month}月{deadline.day}日）を過ぎています"


def place_entries(count: int, *, municipality_accepted: int, quota: int | None,
                  training_accepted: int, capacity: int | None,
                  deadline: date | None, today: date) -> list[Placement]:
    """The placement of `count` new entries, in the order given.

    `municipality_accepted` and `training_accepted` are the seats already taken (accepted
    entries); `quota` is None for entries without a municipality (関係機関 the official adds).
    After the deadline every new entry waits; otherwise each takes a seat while both the
    municipality's quota and the training's capacity have one left.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    if deadline is not None and today > deadline:
        return [Placement(WAITING, late_reason(deadline))] * count
    placements = []
    for _ in range(count):
        if quota is not None and municipality_accepted >= quota:
            placements.append(Placement(WAITING, quota_reason(quota)))
        elif capacity is not None and training_accepted >= capacity:
            placements.append(Placement(WAITING, capacity_reason(capacity)))
        else:
            placements.append(Placement(ACCEPTED))
            municipality_accepted += 1
            training_accepted += 1
    return placements


def open_kinds(open_to_officials: bool, open_to_agencies: bool) -> list[str]:
    """The participant kinds a training takes: its 支援員 always, the others as the official set."""
    return ["worker"] + (["official"] if open_to_officials else []) + (["agency"] if open_to_agencies else [])
