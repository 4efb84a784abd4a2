"""Published versions of a training's programme: what changed between two snapshots.

A snapshot is plain data (made by planner.services.plans.versions): the training's dates and
venue, its timetable items, its roles with their holders and its survey questions. The changelog is the list of
Japanese lines an official and the team read: what moved, what was added or removed, who
gained or lost a role.
"""
from __future__ import annotations


def _when(item: dict) -> str:
    return f"{item['day'][5:].replace('-', '/')} {item['start']}〜{item['end']}"


def changelog(old: dict | None, new: dict) -> list[str]:
    """The changes from `old` to `new` (everything is new when there is no `old`)."""
    if old is None:
        return ["初めての公開です。"]
    lines = []
    if old["days"] != new["days"]:
        lines.append(f"開催日：{'・'.join(old['days']) or '未定'} → {'・'.join(new['days']) or '未定'}")
    if old["venue"] != new["venue"]:
        lines.append(f"会場：{old['venue'] or '未定'} → {new['venue'] or '未定'}")
    old_items = {i["key"]: i for i in old["items"]}
    new_items = {i["key"]: i for i in new["items"]}
    for key, item in new_items.items():
        before = old_items.get(key)
        if before is None:
            lines.append(f"追加：「{item['title']}」（{_when(item)}）")
        elif (before["day"], before["start"], before["end"]) != (item["day"], item["start"], item["end"]):
            lines.append(f"移動：「{item['title']}」{_when(before)} → {_when(item)}")
        elif before["title"] != item["title"]:
            lines.append(f"名称変更：「{before['title']}」→「{item['title']}」")
    for key, item in old_items.items():
        if key not in new_items:
            lines.append(f"削除：「{item['title']}」（{_when(item)}）")
    old_roles = {r["slot"]: r for r in old["roles"]}
    for role in new["roles"]:
        before = old_roles.pop(role["slot"], None)
        was = before["holder_name"] if before else ""
        now = role["holder_name"]
        if was == now:
            continue
        if was:
            lines.append(f"担当を外れた：{was}さん（{role['label']}）")
        if now:
            lines.append(f"担当になった：{now}さん（{role['label']}）")
    for role in old_roles.values():
        if role["holder_name"]:
            lines.append(f"担当を外れた：{role['holder_name']}さん（{role['label']}、役割がなくなりました）")
    return lines + _survey_changes(old.get("survey"), new.get("survey"))


def _survey_changes(old: list[dict] | None, new: list[dict] | None) -> list[str]:
    """The survey's questions added, changed or removed (nothing to say for a version recorded
    before snapshots held the survey)."""
    if old is None or new is None or old == new:
        return []
    if not old:
        return [f"研修アンケートを追加（質問{len(new)}問）"]
    before = {q["id"]: q for q in old}
    lines = []
    for question in new:
        was = before.pop(question["id"], None)
        if was is None:
            lines.append(f"アンケートの質問を追加：「{question['text']}」")
        elif was != question:
            lines.append(f"アンケートの質問を変更：「{question['text']}」")
    lines += [f"アンケートの質問を削除：「{q['text']}」" for q in before.values()]
    if not new:
        lines.append("研修アンケートの質問がなくなりました")
    return lines or ["アンケートの質問の順番を変更"]
