"""Plain-text renderings for the command line."""
from planner.domain.schedule import Timetable, duration_ja


def format_timetable(curriculum, timetable: Timetable) -> str:
    """The timetable as aligned text, or the reasons and remedies when it cannot be built."""
    lines = [f"{curriculum.title}"]
    if not curriculum.official:
        lines.append(f"※ {curriculum.draft_note}")
    if not timetable.feasible:
        lines.append("時間割を組めません:")
        lines += [f"  - {r}" for r in timetable.reasons]
        lines.append("対処案:")
        lines += [f"  - {r}" for r in timetable.remedies]
        return "\n".join(lines)
    several = len(timetable.days) > 1
    for number, day in enumerate(timetable.days, start=1):
        if several:
            lines.append(f"■ {number}日目" + (f"（{day.day.isoformat()}）" if day.day else ""))
        elif day.day:
            lines.append(f"[{day.day.isoformat()}]")
        for item in day.items:
            letter = f"{item.letter} " if item.letter else ""
            if item.kind == "session" and item.parts > 1:
                if item.part == 1:
                    lines.append(f"  {letter}{item.subject}")
                estimated = ("" if not item.estimated else "（時間は按分の目安）" if curriculum.official
                             else "（時間はたたき台の案）")
                lines.append(f"  {item.start:%H:%M}-{item.end:%H:%M} {item.minutes:>4}分    "
                             f"{item.title}{estimated}")
                continue
            lines.append(f"  {item.start:%H:%M}-{item.end:%H:%M} {item.minutes:>4}分  {letter}{item.title}")
        lines.append(f"  {day.spare_note}")
    if timetable.split_note:
        lines.append(timetable.split_note)
    total = timetable.total_subject_minutes
    guide = "手引きの目安" if curriculum.official else "たたき台の目安"  # the draft is not the source
    lines.append(f"講義・演習の合計: {total}分（{duration_ja(total)}） / {guide}: {curriculum.hours_note}")
    lines += [f"注意: {w}" for w in timetable.warnings + timetable.deviations]
    return "\n".join(lines)
