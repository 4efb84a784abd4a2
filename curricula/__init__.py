"""The four curricula of the source, loaded from the TOML files beside this module.

Each file is data, not code: one per curriculum (common, counselor, chief, job_support).
`load_curricula()` validates every file and fails with a message that names the file, the
subject and the field, so a typo in a data file never reaches a timetable.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent
CURRICULUM_KEYS = ("common", "counselor", "chief", "job_support")
#: the fifth kind of training: the source's 「地域の実情に応じた専門的な研修」, built from local
#: subjects only (described by local.toml; not a curriculum, never loaded as an edition)
LOCAL_KEY = "local"
#: the edition of the files beside this module (the first one); newer editions are loaded into
#: the database (`flask --app app curricula --load FILE`) and kept per plan
BUNDLED_EDITION = "令和8年度版"
#: an option's key: stored comma-joined with the others the team switched on
OPTION_KEY = re.compile(r"[A-Za-z0-9_]{1,40}")
#: what a session is, as the timetable names it
SESSION_KINDS = {"lecture": "講義", "exercise": "演習", "group_work": "グループワーク",
                 "case_report": "事例報告"}


class CurriculumError(ValueError):
    """A curriculum data file is malformed."""


@dataclass(frozen=True)
class Session:
    """A sub-session of a subject, with the minutes the source gives for it."""

    title: str
    minutes_min: int | None = None
    minutes_max: int | None = None
    #: for the lecturer: the source's minutes and what to know when running it
    note: str = ""
    #: for the people who maintain the data (a remark on the source itself); never printed
    editor_note: str = ""
    kind: str = ""  # a key of SESSION_KINDS
    #: the source offers it as one way to run the subject (「方法もある」), not a fixed part
    optional: bool = False
    #: the source gives one figure 「程度」 (about), so it holds within ±20%; read from the
    #: note (「１０分程度」) unless the file says `about = true|false`
    about: bool = False


@dataclass(frozen=True)
class Option:
    """A way to run a subject that the source offers (e.g. 60 or 75 minutes, a guest in 対談 form)."""

    key: str
    label: str
    #: the subject's minutes with this option, when the option fixes them
    minutes: int | None = None
    #: optional sessions (by title) this option adds to the timetable
    sessions: tuple[str, ...] = ()
    #: the source's own sentence (with its 「考えられる」/「望ましい」), shown beside the choice
    source: str = ""
    #: the option is done on another day (a symposium, lecture, case meeting, other training)
    separate_day: bool = False


@dataclass(frozen=True)
class Subject:
    """One subject (科目) of a curriculum."""

    letter: str
    name: str
    national_lectures: tuple[str, ...]
    minutes_min: int
    minutes_max: int
    minutes_text: str
    key_points: tuple[str, ...] = ()
    how_to_run: tuple[str, ...] = ()
    sessions: tuple[Session, ...] = ()
    #: the source's remark that this subject may be supplemented on a separate day
    #: (symposium, lecture or case-study meeting); empty when it says nothing
    separate_day_note: str = ""
    #: the subject works on real cases, so it takes a case reporter (事例報告役)
    uses_cases: bool = False
    #: for the job-support draft: what is not confirmed by a national table
    unconfirmed: str = ""
    #: what a lecturer needs to know where the source is inconsistent, said plainly
    lecturer_notes: tuple[str, ...] = ()
    #: transcription remarks for the people who maintain the data; never printed
    editor_notes: tuple[str, ...] = ()
    #: the source's ways to run it; the team switches on any of them (none by default), except
    #: that options fixing the subject's minutes are alternatives: at most one of those
    options: tuple[Option, ...] = ()

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def chosen(self, keys) -> tuple[Option, ...]:
        """The options of these keys, in the source's order; unknown keys are left out."""
        wanted = set(keys)
        return tuple(o for o in self.options if o.key in wanted)

    def option_problems(self, keys) -> list[str]:
        """Why this set of options cannot be switched on together (empty: it can)."""
        problems = [f"科目{self.letter}には選択肢「{key}」がありません。"
                    for key in dict.fromkeys(keys) if self.option(key) is None]
        lengths = [o for o in self.chosen(keys) if o.minutes]
        if len(lengths) > 1:
            problems.append(f"科目{self.letter}の時間は一つだけ選べます（"
                            + "・".join(f"{o.minutes}分" for o in lengths) + "が選ばれています）。")
        return problems

    def option_minutes(self, keys) -> tuple[int, int]:
        """The subject's minutes with these options on: an option's fixed length, or its range."""
        fixed = next((o.minutes for o in self.chosen(keys) if o.minutes), None)
        return (fixed, fixed) if fixed else (self.minutes_min, self.minutes_max)

    def option_sessions(self, keys) -> frozenset[str]:
        """The optional sessions these options add to the timetable."""
        return frozenset(title for o in self.chosen(keys) for title in o.sessions)

    @property
    def is_range(self) -> bool:
        return self.minutes_min != self.minutes_max

    @property
    def may_move_to_separate_day(self) -> bool:
        return bool(self.separate_day_note)


@dataclass(frozen=True)
class Curriculum:
    """A curriculum: title, audience, the source's hour note, and its subjects in order."""

    key: str
    title: str
    short_title: str
    audience: str
    hours_note: str
    hours_min: int
    hours_max: int
    official: bool
    #: for the planners of a draft: what it is and what they must decide
    draft_note: str
    notes: tuple[str, ...]
    source: str
    subjects: tuple[Subject, ...] = field(default=())
    #: for the participants of a draft: one sentence, no instruction to the planners
    participant_note: str = ""
    #: the edition the data comes from (e.g. 令和8年度版)
    edition: str = BUNDLED_EDITION
    #: a local training (地域の実情に応じた研修): no subjects of its own, no national content
    local: bool = False

    def subject(self, letter: str) -> Subject:
        for subject in self.subjects:
            if subject.letter == letter:
                return subject
        raise KeyError(letter)

    @property
    def minutes_min(self) -> int:
        return sum(s.minutes_min for s in self.subjects)

    @property
    def minutes_max(self) -> int:
        return sum(s.minutes_max for s in self.subjects)

    def planner_texts(self) -> tuple[str, ...]:
        """Every text meant for planners, lecturers or maintainers, never for participants:
        what a participant document must not contain."""
        texts = [self.draft_note, self.hours_note, *self.notes]
        for s in self.subjects:
            texts += [*s.key_points, *s.how_to_run, *s.lecturer_notes, *s.editor_notes,
                      s.separate_day_note, s.unconfirmed]
            texts += [x for session in s.sessions for x in (session.note, session.editor_note)]
        return tuple(t for t in texts if t)


def _field(data: dict, name: str, kind: type, where: str, required: bool = True, default=None):
    """Read one field of a data table, checking its type."""
    if name not in data:
        if required:
            raise CurriculumError(f"{where}: field '{name}' is missing")
        return default
    value = data[name]
    if kind is int and isinstance(value, bool):
        raise CurriculumError(f"{where}: field '{name}' must be int, not bool")
    if not isinstance(value, kind):
        raise CurriculumError(
            f"{where}: field '{name}' must be {kind.__name__}, not {type(value).__name__}")
    if kind is str and required and not value.strip():
        raise CurriculumError(f"{where}: field '{name}' is empty")
    return value


def _strings(data: dict, name: str, where: str, required: bool = False) -> tuple[str, ...]:
    values = _field(data, name, list, where, required=required, default=[])
    if required and not values:
        raise CurriculumError(f"{where}: field '{name}' is empty")
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise CurriculumError(f"{where}: field '{name}' item {i + 1} must be a non-empty string")
    return tuple(values)


def _minutes(data: dict, where: str, required: bool = True) -> tuple[int | None, int | None]:
    """Minutes are either `minutes = 60` or `minutes_min`/`minutes_max`."""
    if "minutes" in data and ("minutes_min" in data or "minutes_max" in data):
        raise CurriculumError(f"{where}: field 'minutes' is given together with minutes_min/minutes_max")
    if "minutes" in data:
        fixed = _field(data, "minutes", int, where)
        low = high = fixed
    elif required or "minutes_min" in data or "minutes_max" in data:
        low = _field(data, "minutes_min", int, where)
        high = _field(data, "minutes_max", int, where)
    else:
        return None, None
    if not 1 <= low <= high <= 600:
        raise CurriculumError(f"{where}: field 'minutes' must satisfy 1 <= min <= max <= 600 "
                              f"(got {low}-{high})")
    return low, high


def _subject(data: dict, where: str) -> Subject:
    if not isinstance(data, dict):
        raise CurriculumError(f"{where}: field 'subjects' holds a {type(data).__name__}, not a table")
    letter = _field(data, "letter", str, where)
    where = f"{where} subject {letter}"
    low, high = _minutes(data, where)
    sessions = []
    for i, raw in enumerate(_field(data, "sessions", list, where, required=False, default=[])):
        swhere = f"{where} session {i + 1}"
        if not isinstance(raw, dict):
            raise CurriculumError(f"{swhere}: field 'sessions' holds a {type(raw).__name__}, not a table")
        s_low, s_high = _minutes(raw, swhere, required=False)
        kind = _field(raw, "kind", str, swhere)
        if kind not in SESSION_KINDS:
            raise CurriculumError(f"{swhere}: field 'kind' is '{kind}', not one of {', '.join(SESSION_KINDS)}")
        sessions.append(Session(title=_field(raw, "title", str, swhere), minutes_min=s_low,
                                minutes_max=s_high, note=_field(raw, "note", str, swhere, False, ""),
                                editor_note=_field(raw, "editor_note", str, swhere, False, ""),
                                kind=kind, optional=_field(raw, "optional", bool, swhere, False, False),
                                about=_field(raw, "about", bool, swhere, False,
                                             s_low is not None and s_low == s_high
                                             and "程度" in raw.get("note", ""))))
    options = []
    optional = {s.title for s in sessions if s.optional}
    for i, raw in enumerate(_field(data, "options", list, where, required=False, default=[])):
        owhere = f"{where} option {i + 1}"
        if not isinstance(raw, dict):
            raise CurriculumError(f"{owhere}: field 'options' holds a {type(raw).__name__}, not a table")
        minutes = _field(raw, "minutes", int, owhere, False, None)
        if minutes is not None and not low <= minutes <= high:
            raise CurriculumError(f"{owhere}: field 'minutes' {minutes} is outside the subject's {low}-{high}")
        adds = _strings(raw, "sessions", owhere)
        if set(adds) - optional:
            raise CurriculumError(f"{owhere}: field 'sessions' names {sorted(set(adds) - optional)}, "
                                  "which are not optional sessions of the subject")
        options.append(Option(_field(raw, "key", str, owhere), _field(raw, "label", str, owhere),
                              minutes, adds, _field(raw, "source", str, owhere, False, ""),
                              _field(raw, "separate_day", bool, owhere, False, False)))
    for i, option in enumerate(options):
        if not OPTION_KEY.fullmatch(option.key):
            raise CurriculumError(f"{where} option {i + 1}: field 'key' '{option.key}' must be letters, "
                                  "digits and _ (at most 40)")
    if len({o.key for o in options}) != len(options):
        raise CurriculumError(f"{where}: field 'key' is repeated among options")
    return Subject(
        letter=letter,
        name=_field(data, "name", str, where),
        national_lectures=_strings(data, "national_lectures", where, required=True),
        minutes_min=low,
        minutes_max=high,
        minutes_text=_field(data, "minutes_text", str, where),
        key_points=_strings(data, "key_points", where),
        how_to_run=_strings(data, "how_to_run", where),
        sessions=tuple(sessions),
        separate_day_note=_field(data, "separate_day_note", str, where, False, ""),
        uses_cases=_field(data, "uses_cases", bool, where, False, False),
        unconfirmed=_field(data, "unconfirmed", str, where, False, ""),
        lecturer_notes=_strings(data, "lecturer_notes", where),
        editor_notes=_strings(data, "editor_notes", where),
        options=tuple(options),
    )


def parse_curriculum(text: str, filename: str) -> Curriculum:
    """Parse and validate one curriculum file's text; errors name the file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CurriculumError(f"{filename}: not valid TOML: {exc}") from None
    where = filename
    subjects = tuple(_subject(raw, f"{where} (subject {i + 1})")
                     for i, raw in enumerate(_field(data, "subjects", list, where)))
    if not subjects:
        raise CurriculumError(f"{where}: field 'subjects' is empty")
    letters = [s.letter for s in subjects]
    if len(set(letters)) != len(letters):
        raise CurriculumError(f"{where}: field 'letter' is repeated among subjects {letters}")
    official = _field(data, "official", bool, where)
    draft_note = _field(data, "draft_note", str, where, required=not official, default="")
    participant_note = _field(data, "participant_note", str, where, required=not official, default="")
    hours_min = _field(data, "hours_min", int, where)
    hours_max = _field(data, "hours_max", int, where)
    return Curriculum(
        key=_field(data, "key", str, where),
        title=_field(data, "title", str, where),
        short_title=_field(data, "short_title", str, where),
        audience=_field(data, "audience", str, where),
        hours_note=_field(data, "hours_note", str, where),
        hours_min=hours_min,
        hours_max=hours_max,
        official=official,
        draft_note=draft_note,
        notes=_strings(data, "notes", where),
        source=_field(data, "source", str, where),
        subjects=subjects,
        participant_note=participant_note,
        edition=_field(data, "edition", str, where, False, BUNDLED_EDITION),
    )


def load_curriculum_file(path: Path) -> Curriculum:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CurriculumError(f"{path.name}: cannot be read: {exc.strerror}") from None
    curriculum = parse_curriculum(text, path.name)
    if curriculum.key != path.stem:
        raise CurriculumError(f"{path.name}: field 'key' is '{curriculum.key}', "
                              f"but the file is named for '{path.stem}'")
    return curriculum


@cache
def load_curricula() -> dict[str, Curriculum]:
    """All four curricula, in the source's order, keyed by their code name."""
    return {key: load_curriculum_file(DATA_DIR / f"{key}.toml") for key in CURRICULUM_KEYS}


def get_curriculum(key: str) -> Curriculum:
    """One curriculum by key; a KeyError names the known keys."""
    curricula = load_curricula()
    if key not in curricula:
        raise KeyError(f"unknown curriculum {key!r} (known: {', '.join(curricula)})")
    return curricula[key]


@dataclass(frozen=True)
class LocalKind:
    """What local.toml says about the kind 「地域の実情に応じた研修」."""

    title: str
    short_title: str
    audience: str
    max_days: int
    note: str
    source: str


@cache
def local_kind() -> LocalKind:
    """The local training's kind, from local.toml (validated like the curricula)."""
    path = DATA_DIR / f"{LOCAL_KEY}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CurriculumError(f"{path.name}: cannot be read: {exc}") from None
    where = path.name
    if _field(data, "key", str, where) != LOCAL_KEY:
        raise CurriculumError(f"{where}: field 'key' must be '{LOCAL_KEY}'")
    max_days = _field(data, "max_days", int, where)
    if not 1 <= max_days <= 3:
        raise CurriculumError(f"{where}: field 'max_days' must be 1 to 3")
    return LocalKind(*(_field(data, name, str, where) for name in
                       ("title", "short_title", "audience")), max_days,
                     _field(data, "note", str, where), _field(data, "source", str, where))


def local_curriculum(title: str = "") -> Curriculum:
    """A local training as a curriculum without subjects: its title is the training's own
    (「ひきこもり支援の実践（地域の実情に応じた研修）」); nothing in it is the source's content."""
    kind = local_kind()
    own = title.strip()
    return Curriculum(key=LOCAL_KEY, title=f"{own}（{kind.title}）" if own else kind.title,
                      short_title=own or kind.short_title, audience=kind.audience, hours_note="",
                      hours_min=0, hours_max=0, official=True, draft_note="", notes=(kind.note,),
                      source=kind.source, subjects=(), local=True)


@cache
def parse_cached(text: str, filename: str) -> Curriculum:
    """`parse_curriculum` once per text: an edition's stored text never changes."""
    return parse_curriculum(text, filename)


_FIELD_MESSAGES = (
    (re.compile(r"field '(\w+)' is missing"), "「{0}」がありません。"),
    (re.compile(r"field '(\w+)' must be (\w+), not (\w+)"), "「{0}」の型が違います（{1} であるべきところが {2}）。"),
    (re.compile(r"field '(\w+)' is empty"), "「{0}」が空です。"),
    (re.compile(r"field '(\w+)' must satisfy"), "「{0}」の分数は 1 ≦ 最小 ≦ 最大 ≦ 600 で書いてください。"),
    (re.compile(r"field '(\w+)'"), "「{0}」に誤りがあります。"),
)


def _error_line(text: str, detail: str) -> int:
    """The line of the entry a schema error names: its `[[subjects]]` (and session or option)
    table, and in it the offending key's line when the key is there."""
    lines = text.splitlines()
    subject = re.search(r"\(subject (\d+)\)", detail)
    inner = re.search(r" (session|option) (\d+):", detail)
    field = re.search(r"field '(\w+)'", detail)
    start, end = 0, len(lines)
    if subject:
        want = [(r"\[\[subjects\]\]", int(subject.group(1)))]
        if inner:
            want.append((rf"\[\[subjects\.{inner.group(1)}s\]\]", int(inner.group(2))))
        for pattern, n in want:
            seen = 0
            for i in range(start, end):
                if re.match(rf"\s*{pattern}", lines[i]):
                    seen += 1
                    if seen == n:
                        start = i
                        break
            # a subject runs to the next subject; a session or option to the next table
            stop = r"\s*\[\[subjects\]\]" if pattern.startswith(r"\[\[subjects\]") else r"\s*\["
            end = next((i for i in range(start + 1, end) if re.match(stop, lines[i])), end)
    else:
        end = next((i for i, line in enumerate(lines) if re.match(r"\s*\[", line)), end)
    if field:
        for i in range(start, end):
            if re.match(rf"\s*{field.group(1)}\s*=", lines[i]):
                return i + 1
    return start + 1


def parse_edition(text: str, filename: str) -> Curriculum:
    """A new edition's file, checked for loading: the same format as the bundled files plus
    `edition = "令和9年度版"`. Errors are in Japanese and name the line."""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        at = f"{line.group(1)}行目" if line else "1行目"
        raise CurriculumError(f"{filename} {at}: TOML として読めません（{exc}）。") from None
    try:
        curriculum = parse_curriculum(text, filename)
    except CurriculumError as exc:
        detail = str(exc)
        said = next((form.format(*m.groups()) for pattern, form in _FIELD_MESSAGES
                     if (m := pattern.search(detail))), "内容に誤りがあります。")
        where = detail.split(": ", 1)[0].removeprefix(filename).strip()
        raise CurriculumError(f"{filename} {_error_line(text, detail)}行目（{where or '先頭'}）: {said}"
                              f"（{detail.split(': ', 1)[-1]}）") from None
    if "edition" not in tomllib.loads(text):
        raise CurriculumError(f"{filename} 1行目: 版の名前「edition」がありません（例 edition = \"令和9年度版\"）。")
    if curriculum.key not in CURRICULUM_KEYS:
        line = _error_line(text, "field 'key'")
        raise CurriculumError(f"{filename} {line}行目: 「key」は "
                              f"{', '.join(CURRICULUM_KEYS)} のいずれかです（「{curriculum.key}」）。")
    return curriculum
