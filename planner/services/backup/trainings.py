"""The trainings in the plan's JSON backup (planner.services.backup.plan): each training's
curriculum, dates, venue, day settings and handout details, and its subjects with their
settings, the team's programme versions, the supplementary events (symposium, lecture,
case-study meeting) and the settled draft of a job-support subject. Each is checked against
its curriculum and by the scheduler's own input rules; subjects are named by position.
"""
from __future__ import annotations

from datetime import datetime

from curricula import LOCAL_KEY, Curriculum, local_curriculum
from planner.domain import fields as rules
from planner.domain.schedule import DEFAULT_LONGEST_BLOCK, ScheduleInputError, validate
from planner.models import (
    PROGRAMME_FIELDS,
    SUPPLEMENT_EFFECTS,
    SUPPLEMENT_KINDS,
    Plan,
    ProgrammeEntry,
    SupplementaryEvent,
    Symposist,
    Training,
    TrainingSubject,
    join_option_keys,
)
from planner.services.backup import participants as participant_backup
from planner.services.backup.materials import material_section, read_materials
from planner.services.backup.reader import BackupError, _Fields, _hhmm, _show
from planner.services.backup.roles import MAX_ROLES, _check_roles, _kept_reasons, _read_role, _Role, _role_section
from planner.services.backup.survey import survey_section
from planner.services.plans.supplements import legacy_symposists
from planner.services.plans.timetables import day_settings, subject_spec

MAX_SUBJECTS = rules.limit("subjects")
MAX_PROGRAMME = 200  # versions of the team's programme per subject
MAX_SUPPLEMENTS = 20  # supplementary events per subject


def _training_section(training: Training) -> dict:
    """One training: curriculum, date, venue, day settings and its subjects."""
    kept = _kept_reasons(training)
    # a local training (地域の実情に応じた研修) carries its own title and aim
    local = {"local_title": training.local_title, "aim": training.aim} if training.is_local else {}
    return local | {
        "curriculum_key": training.curriculum_key, "position": training.position,
        "first_date": training.first_date.isoformat() if training.first_date else None,
        "day_count": training.day_count, "venue": training.venue,
        "later_dates": [d.isoformat() for d in training.chosen_later_dates],
        "capacity": training.capacity, "per_municipality": training.per_municipality,
        "start_time": _hhmm(training.start_time), "end_time": _hhmm(training.end_time),
        "lunch_minutes": training.lunch_minutes,
        "lunch_earliest": _hhmm(training.lunch_earliest),
        "lunch_latest": _hhmm(training.lunch_latest), "break_minutes": training.break_minutes,
        "longest_block": training.longest_block,
        "opening_title": training.opening_title, "opening_minutes": training.opening_minutes,
        "closing_title": training.closing_title, "closing_minutes": training.closing_minutes,
        **{name: getattr(training, name) for name in _HANDOUT_TEXT},
        "reception_time": _hhmm(training.reception_time) if training.reception_time else None,
        "materials_deadline": (training.materials_deadline.isoformat()
                               if training.materials_deadline else None),
        "subjects": [_subject_section(s) for s in training.subjects],
        "roles": [_role_section(slot, kept) for slot in sorted(training.slots, key=lambda s: s.sort_key)
                  if slot.holder_id is not None or slot.locked],
        "participants": participant_backup.participant_sections(training),
        "participation": participant_backup.participation_section(training),
        "survey": survey_section(training),
    }


def _subject_section(row: TrainingSubject) -> dict:
    """One timetable subject: a curriculum letter or a local subject, and its settings (and
    its materials, when it has any)."""
    materials = {"materials": [material_section(m) for m in row.materials]} if row.materials else {}
    # a local training's subject: taught by the team, using cases (absent: neither)
    local = {name: True for name in ("team_lecturer", "uses_cases") if getattr(row, name)}
    return local | materials | {"position": row.position, "letter": row.letter, "local_name": row.local_name,
            "local_minutes": row.local_minutes, "lecturer_name": row.lecturer_name,
            "lecturer_org": row.lecturer_org, "minutes_override": row.minutes_override,
            "separate_day": row.separate_day, "option_keys": list(row.chosen_keys),
            "programme": [_programme_section(e) for e in reversed(row.programme)],
            "supplements": [_supplement_section(e) for e in row.supplements],
            "draft": {"name": row.draft_name, "minutes_min": row.draft_minutes_min,
                      "minutes_max": row.draft_minutes_max, "lectures": row.draft_lectures,
                      "session_minutes": row.draft_session_minutes}}


def _supplement_section(event: SupplementaryEvent) -> dict:
    """A symposium, lecture or case-study meeting that supplements the subject."""
    return {"kind": event.kind, "title": event.title, "day": event.day.isoformat(),
            "start_time": _hhmm(event.start_time), "end_time": _hhmm(event.end_time),
            "place": event.place, "lecturer_name": event.lecturer_name,
            "lecturer_org": event.lecturer_org, "effect": event.effect,
            "shortened_minutes": event.shortened_minutes,
            "coordinator_name": event.coordinator_name, "coordinator_org": event.coordinator_org,
            "symposists": [{"name": s.name, "affiliation": s.affiliation, "topic": s.topic}
                           for s in event.symposists]}


def _programme_section(entry: ProgrammeEntry) -> dict:
    """One version of the team's programme, oldest first in the file."""
    return entry.values() | {"option_keys": list(entry.chosen_keys), "author_name": entry.author_name,
                             "created_at": entry.created_at.isoformat(timespec="seconds")}


def _read_training(fields: _Fields, curricula: dict[str, Curriculum], version: int,
                   emails: set[str], plan: Plan | None = None) -> tuple[Training, list[_Role]]:
    """One training, its day settings checked by the scheduler's own rules, and its roles.
    On `plan` (not yet in the session), so that the checks read the plan's curricula edition."""
    fields.only(set(_TRAINING_KEYS) | {"subjects", "local_title", "aim"} | ({"roles", "participants", "participation"} if version >= 2 else set())
                | ({"survey"} if version >= 3 else set()))
    key = fields.text("curriculum_key", 20, required=True)
    if key not in curricula and key != LOCAL_KEY:
        raise BackupError(f"{fields.where}: カリキュラム「{_show(key)}」はありません。"
                          f"{', '.join([*curricula, LOCAL_KEY])} のいずれかです。")
    local_title = aim = ""
    if key == LOCAL_KEY:  # a local training: its own title, no curriculum subjects
        local_title = fields.typed("local_title", "local_title")
        if not local_title:
            raise fields.fail("local_title", "がありません（地域の実情に応じた研修の研修名）。")
        aim = fields.typed("aim", "training_aim") if "aim" in fields.data else ""
    elif "local_title" in fields.data or "aim" in fields.data:
        raise BackupError(f"{fields.where}: 研修名・ねらい（local_title, aim）は地域の実情に応じた研修にだけ書けます。")
    curriculum = local_curriculum(local_title) if key == LOCAL_KEY else curricula[key]
    fields.where = f"{fields.where}（{curriculum.title}）"
    training = Training(
        curriculum_key=key, local_title=local_title, aim=aim, position=fields.integer("position", 0, 999),
        first_date=fields.day("first_date"), day_count=fields.integer("day_count", 1, 5),
        venue=fields.typed("venue", "venue"), capacity=fields.integer("capacity", 1, 2000, optional=True),
        per_municipality=fields.integer("per_municipality", 1, 20),
        start_time=fields.clock("start_time"), end_time=fields.clock("end_time"),
        lunch_minutes=fields.integer("lunch_minutes", 0, 180),
        lunch_earliest=fields.clock("lunch_earliest"), lunch_latest=fields.clock("lunch_latest"),
        break_minutes=fields.integer("break_minutes", 5, 60),
        # files written before the setting existed use the usual 90 minutes
        longest_block=fields.integer("longest_block", 30, 480) if "longest_block" in fields.data
        else DEFAULT_LONGEST_BLOCK,
        opening_title=fields.typed("opening_title", "opening_title"),
        opening_minutes=fields.integer("opening_minutes", 0, 120),
        closing_title=fields.typed("closing_title", "closing_title"),
        closing_minutes=fields.integer("closing_minutes", 0, 120), revision=1)
    training.plan = plan
    _read_handout_fields(fields, training)
    training.later_dates = _later_dates(fields, training)
    raw = fields.items("subjects", MAX_SUBJECTS)
    subjects = [_read_subject(_Fields(item, f"{fields.where}の科目{j}"),
                              curriculum, emails) for j, item in enumerate(raw, start=1)]
    if key == LOCAL_KEY and not subjects:
        raise BackupError(f"{fields.where}: 科目が1つもありません。")
    _unique_positions(fields.where, "科目", [s.position for s in subjects])
    _all_letters_once(fields.where, curriculum, [s.letter for s in subjects if s.letter])
    training.subjects = sorted(subjects, key=lambda s: s.position)
    _check_days(fields.where, training)
    roles = []
    if version >= 2:
        raw = fields.items("roles", MAX_ROLES)
        roles = [_read_role(_Fields(item, f"{fields.where}の役割{k}"), training, emails)
                 for k, item in enumerate(raw, start=1)]
        _check_roles(fields.where, training, roles)
    return training, roles


#: the handout details of a training (venue address, 持ち物, ...), checked by their rules in
#: data/fields.toml; files written before they existed simply lack them
_HANDOUT_TEXT = ("venue_address", "venue_access", "belongings", "equipment")


def _later_dates(fields: _Fields, training: Training) -> str:
    """Days 2..n when they do not follow day one; older files lack them (consecutive days)."""
    raw = fields.data.get("later_dates") or []
    if not isinstance(raw, list):
        raise fields.fail("later_dates", "は日付（YYYY-MM-DD）の一覧で書きます。")
    later = [fields.parse_day("later_dates", value) for value in raw]
    if None in later:
        raise fields.fail("later_dates", "に null は書けません。日付（YYYY-MM-DD）を書きます。")
    if not later:
        return ""
    if training.first_date is None or len(later) != training.day_count - 1:
        raise fields.fail("later_dates", f"は開催日があり{training.day_count}日間の研修なら"
                                         f"{training.day_count - 1}つ書きます（{len(later)}つあります）。")
    if any(b <= a for a, b in zip([training.first_date, *later], later)):
        raise fields.fail("later_dates", "は開催日より後に、日付の順に書きます。")
    return ",".join(d.isoformat() for d in later)


_TRAINING_KEYS = ("curriculum_key", "position", "first_date", "day_count", "later_dates", "venue", "capacity",
                  "per_municipality", "start_time", "end_time", "lunch_minutes", "lunch_earliest",
                  "lunch_latest", "break_minutes", "longest_block", "opening_title", "opening_minutes",
                  "closing_title", "closing_minutes", "reception_time", "materials_deadline",
                  *_HANDOUT_TEXT)


def _read_handout_fields(fields: _Fields, training: Training) -> None:
    """The optional handout details; absent in older files, so read only when present."""
    for name in _HANDOUT_TEXT:
        if name in fields.data:
            setattr(training, name, fields.typed(name, name))
    if fields.data.get("reception_time") is not None:
        training.reception_time = fields.clock("reception_time")
    if "materials_deadline" in fields.data:
        training.materials_deadline = fields.day("materials_deadline")


def _read_subject(fields: _Fields, curriculum: Curriculum,
                  emails: frozenset[str] | set[str] = frozenset()) -> TrainingSubject:
    """One subject: a letter of the training's curriculum, or a local subject with its minutes."""
    # the options and programme came with the team's programme; older files lack them, and
    # files from before several options per subject carry one `option_key`
    fields.only({"position", "letter", "local_name", "local_minutes", "lecturer_name",
                 "lecturer_org", "minutes_override", "separate_day", "option_key", "option_keys", "programme",
                 "supplements", "draft", "materials", "team_lecturer", "uses_cases"})
    row = TrainingSubject(
        position=fields.integer("position", 0, 999), letter=fields.text("letter", 4),
        local_name=fields.typed("local_name", "local_name"),
        local_minutes=fields.integer("local_minutes", 1, 600, optional=True),
        lecturer_name=fields.typed("lecturer_name", "lecturer_name"),
        lecturer_org=fields.typed("lecturer_org", "lecturer_org"),
        minutes_override=fields.integer("minutes_override", 1, 600, optional=True),
        separate_day=fields.boolean("separate_day"))
    for name in ("team_lecturer", "uses_cases"):  # only in a local training's subjects
        if name in fields.data:
            setattr(row, name, fields.boolean(name))
            if getattr(row, name) and not curriculum.local:
                raise fields.fail(name, "は地域の実情に応じた研修の科目にだけ書けます。")
    if row.team_lecturer and (row.lecturer_name or row.lecturer_org):
        raise fields.fail("team_lecturer", "がtrueの科目には外部講師の氏名・所属を書きません。")
    if row.letter:
        try:
            subject = curriculum.subject(row.letter)
        except KeyError:
            raise BackupError(f"{fields.where}: 科目記号「{row.letter}」は{curriculum.title}にありません。") from None
        if row.local_name or row.local_minutes is not None:
            raise BackupError(f"{fields.where}: 手引きの科目{row.letter}に独自科目名や独自の時間が入っています。")
        if row.separate_day and not subject.may_move_to_separate_day:
            raise BackupError(f"{fields.where}: 科目{row.letter}は、手引きで別日に補う方法が示されていません。")
        row.option_keys = _read_options(fields, subject)
        raw = fields.items("programme", MAX_PROGRAMME) if "programme" in fields.data else []
        row.programme = [_read_programme(_Fields(item, f"{fields.where}のチームのプログラム{j}"), subject)
                         for j, item in enumerate(reversed(raw), start=1)]
        for version, entry in enumerate(reversed(row.programme), start=1):
            entry.version = version
        if "draft" in fields.data:
            _read_draft(_Fields(fields.require("draft"), f"{fields.where}のたたき台の調整"), row, curriculum)
        raw = fields.items("supplements", MAX_SUPPLEMENTS) if "supplements" in fields.data else []
        row.supplements = [_read_supplement(_Fields(item, f"{fields.where}の補う催し{j}"))
                           for j, item in enumerate(raw, start=1)]
    else:
        if not row.local_name:
            raise BackupError(f"{fields.where}: 科目記号も独自科目名もありません。")
        if row.local_minutes is None:
            raise BackupError(f"{fields.where}: 独自科目「{row.local_name}」の時間がありません。")
        if row.separate_day:
            raise BackupError(f"{fields.where}: 独自科目は別日扱いにできません。")
        if fields.data.get("supplements"):
            raise BackupError(f"{fields.where}: 独自科目を補う催しは登録できません。")
    if "materials" in fields.data:
        row.materials = read_materials(fields, emails)
    return row


def _read_draft(fields: _Fields, row: TrainingSubject, curriculum: Curriculum) -> None:
    """The prefecture's settling of a job-support draft subject; empty for the other curricula."""
    fields.only({"name", "minutes_min", "minutes_max", "lectures", "session_minutes"})
    row.draft_name = fields.text("name", 200)
    row.draft_minutes_min = fields.integer("minutes_min", 1, 600, optional=True)
    row.draft_minutes_max = fields.integer("minutes_max", 1, 600, optional=True)
    row.draft_lectures = fields.text("lectures", 2000, lines=True)
    row.draft_session_minutes = fields.text("session_minutes", 200)
    if row.draft_edited and curriculum.official:
        raise BackupError(f"{fields.where}: 手引きの科目表にある科目は調整できません。")
    if (row.draft_minutes_min is None) != (row.draft_minutes_max is None) or (
            row.draft_minutes_min and row.draft_minutes_min > row.draft_minutes_max):
        raise fields.fail("minutes_max", "最短と最長の両方を、最短が最長以下になるように入れてください。")
    sessions = len(curriculum.subject(row.letter).sessions)
    parts = row.draft_session_minutes.split(",") if row.draft_session_minutes else []
    if parts and (len(parts) != sessions or not all(p.isdigit() and 1 <= int(p) <= 600 for p in parts)):
        raise fields.fail("session_minutes", f"セッションの時間は1〜600の数を{sessions}つ、カンマで区切って入れてください。")


def _read_supplement(fields: _Fields) -> SupplementaryEvent:
    """A supplementary event of any subject of the curriculum (the source's general step
    allows one for any; services.plans.supplements adds them so). A symposium's coordinator
    and symposists came later: in an older file its lecturer field names the symposists."""
    fields.only({"kind", "title", "day", "start_time", "end_time", "place", "lecturer_name",
                 "lecturer_org", "effect", "shortened_minutes", "coordinator_name", "coordinator_org",
                 "symposists"})
    event = SupplementaryEvent(
        kind=fields.text("kind", 20, required=True), title=fields.typed("title", "event_title"),
        day=fields.day("day", required=True), start_time=fields.clock("start_time"),
        end_time=fields.clock("end_time"), place=fields.typed("place", "event_place"),
        lecturer_name=fields.typed("lecturer_name", "lecturer_name"),
        lecturer_org=fields.typed("lecturer_org", "lecturer_org"),
        effect=fields.text("effect", 20, required=True),
        shortened_minutes=fields.integer("shortened_minutes", 10, 600, optional=True))
    if event.kind not in SUPPLEMENT_KINDS:
        raise fields.fail("kind", f"「{_show(event.kind)}」は催しの種類にありません。")
    if event.effect not in SUPPLEMENT_EFFECTS:
        raise fields.fail("effect", f"「{_show(event.effect)}」は研修当日の扱いにありません。")
    if event.end_time <= event.start_time:
        raise fields.fail("end_time", "終了時刻が開始時刻より前です。")
    if event.effect == "shortened" and event.shortened_minutes is None:
        raise fields.fail("shortened_minutes", "短くする場合の時間がありません。")
    if "symposists" in fields.data:
        event.coordinator_name = fields.typed("coordinator_name", "coordinator_name")
        event.coordinator_org = fields.typed("coordinator_org", "coordinator_org")
        raw = fields.items("symposists", rules.limit("symposists"))
        event.symposists = [_read_symposist(_Fields(item, f"{fields.where}のシンポジスト{j}"), j)
                            for j, item in enumerate(raw, start=1)]
    elif event.kind == "symposium":
        event.symposists = [Symposist(position=j, name=s.name[:100], affiliation=s.affiliation[:200], topic="")
                            for j, s in enumerate(legacy_symposists(event.lecturer_name, event.lecturer_org), 1)]
        event.lecturer_name = event.lecturer_org = ""
    if event.kind != "symposium" and (event.coordinator_name or event.symposists):
        raise fields.fail("symposists", "は、種類がシンポジウムの催しにだけ書けます。")
    return event


def _read_symposist(fields: _Fields, position: int) -> Symposist:
    fields.only({"name", "affiliation", "topic"})
    return Symposist(position=position, name=fields.typed("name", "symposist_name"),
                     affiliation=fields.typed("affiliation", "symposist_affiliation"),
                     topic=fields.typed("topic", "symposist_topic"))


def _read_options(fields: _Fields, subject) -> str:
    """The options switched on: `option_keys` (a list), or one `option_key` of an older file;
    comma-joined in the source's order, as the subject stores them."""
    if "option_keys" in fields.data and "option_key" in fields.data:
        raise fields.fail("option_keys", "と「option_key」の両方があります。どちらか一方にしてください。")
    if "option_key" in fields.data:
        key = fields.text("option_key", 40)
        keys = [key] if key else []
        name = "option_key"
    elif "option_keys" in fields.data:
        name = "option_keys"
        keys = []
        for item in fields.items(name, max(len(subject.options), 1)):
            if not isinstance(item, str) or not item.strip():
                raise fields.fail(name, f"に選択肢のキーでない値「{_show(item)}」があります。")
            keys.append(item.strip())
    else:
        return ""
    for key in keys:
        if subject.option(key) is None:
            raise fields.fail(name, f"「{_show(key)}」は科目{subject.letter}の選択肢にありません。")
    problems = subject.option_problems(keys)
    if problems:
        raise fields.fail(name, f"を一緒に選べません: {problems[0]}")
    return join_option_keys(o.key for o in subject.chosen(keys))


def _read_programme(fields: _Fields, subject) -> ProgrammeEntry:
    fields.only(set(PROGRAMME_FIELDS) | {"option_key", "option_keys", "author_name", "created_at"})
    created = fields.text("created_at", 40, required=True)
    try:
        created_at = datetime.fromisoformat(created)
    except ValueError:
        raise fields.fail("created_at", f"「{_show(created)}」は日時として読めません。") from None
    return ProgrammeEntry(**{name: fields.typed(name, "programme_note") for name in PROGRAMME_FIELDS},
                          option_keys=_read_options(fields, subject),
                          author_name=fields.text("author_name", 100), created_at=created_at.replace(tzinfo=None))


def _unique_positions(where: str, what: str, positions: list[int]) -> None:
    seen = set()
    for position in positions:
        if position in seen:
            raise BackupError(f"{where}: {what}の順番 {position} が重複しています。")
        seen.add(position)


def _all_letters_once(where: str, curriculum: Curriculum, letters: list[str]) -> None:
    """Curriculum subjects cannot be removed, so each letter appears exactly once."""
    for subject in curriculum.subjects:
        count = letters.count(subject.letter)
        if count == 0:
            raise BackupError(f"{where}: 手引きの科目{subject.letter}「{subject.name}」がありません。")
        if count > 1:
            raise BackupError(f"{where}: 科目{subject.letter}が{count}回あります。")


def _check_days(where: str, training: Training) -> None:
    """The scheduler's input rules (times in order, lunch window, item lengths); not the fit."""
    if training.last_day and training.last_day > rules.DATE_MAX:
        raise BackupError(f"{where}: 開催日が遠すぎます。")
    specs = [subject_spec(training, row) for row in training.subjects if not row.moved_out]
    try:
        for settings in day_settings(training):
            validate(specs, settings)
    except ScheduleInputError as exc:
        raise BackupError(f"{where}: {exc}") from None
