"""The curriculum data files against the source document (theme ② of the seed).

The expected tables below are transcribed by hand from the seed's three curriculum tables
(前期共通, 相談後期, 主任後期). One test compares the data files with them field by field;
another checks that every name, national lecture and minutes text also occurs in the seed
itself (PDF line breaks and spaces removed), so a typo in the transcription is caught too.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from curricula import CURRICULUM_KEYS, CurriculumError, load_curricula, parse_curriculum

SEED_NAME = "000_8b1a414585d48dd3.txt"

# (letter, name, national lectures, minutes_min, minutes_max, minutes_text) per subject,
# exactly as the seed's tables print them.
EXPECTED = {
    "common": [
        ("A", "生活困窮者自立支援の基本的な考え方",
         ("【講義①】生活困窮者自立支援の基本的な考え方",
          "【講義②】自立相談支援事業の目的、支援の流れ",
          "【講義③】自立相談支援事業と任意事業"),
         60, 60, "６０分"),
        ("B", "支援員に求められる基本倫理と基本姿勢",
         ("【講義と演習④】支援員に求められる基本倫理と基本姿勢",),
         60, 90, "６０～９０分"),
        ("C", "生活困窮者支援に必要と考えられる視点",
         ("【講義と演習⑤－１、２】生活困窮者支援に必要と考えられる視点",),
         60, 90, "６０～９０分"),
        ("D", "生活困窮者支援を通じた地域づくり",
         ("【講義と演習⑥】生活困窮者支援を通じた地域づくり",),
         90, 90, "９０分"),
        ("E", "相談支援の展開", ("【講義と演習⑦】相談支援の展開",), 60, 60, "６０分"),
        ("F", "就労支援の実施方法", ("【講義と演習⑧】就労支援の実施方法",), 60, 60, "６０分"),
    ],
    "counselor": [
        ("A", "支援の基本姿勢と援助関係が作りにくい人への支援",
         ("【講義と演習①】個別支援の基本", "【講義と演習②】援助関係を作りにくい人への支援"),
         80, 90, "80～90分"),
        ("B", "支援の技術 ―アウトリーチ・観察と記録―",
         ("【講義③】アウトリーチ", "【講義④】観察と記録"),
         60, 60, "60分"),
        ("C", "自立相談支援員が持つべき就労支援の視点",
         ("【講義と演習⑤】自立相談支援員が持つべき就労支援の視点",),
         60, 70, "60～70分"),
        ("D", "地域の関係機関との連携・協働による包括的な支援",
         ("【講義と演習⑥】任意事業との連携の在り方", "【講義と演習⑦】地域を基盤とした相談支援の方法"),
         60, 80, "60～80分"),
        # the source numbers E's lecture ⑥ as well (D also has a ⑥); kept as printed
        ("E", "相談支援の展開", ("【講義と演習⑥】相談支援の展開",), 150, 180, "150～180分"),
    ],
    "chief": [
        ("A", "主任相談支援員の役割", ("【講義①】主任相談支援員の役割",), 60, 60, "６０分"),
        ("B", "相談支援の展開",
         ("【講義⑦】アウトリーチ・インテーク", "【講義と演習⑧】アセスメント・プラン作成",
          "【講義⑨】支援調整会議"),
         30, 60, "３０～６０分"),
        ("C", "職員の資質向上と職場(組織)づくり",
         ("【講義と演習②】職員の資質向上と職場(組織)づくり",),
         60, 75, "６０～７５分"),
        ("D", "地域づくり",
         ("【講義③】生活困窮者支援と地域づくりの意義", "【講義と演習④】個を支える地域づくり",
          "【講義と演習⑤】ネットワークづくり"),
         90, 105, "９０～１０５分"),
        ("E", "支援困難事例の検討", ("【講義と演習⑥】支援困難事例の検討",), 120, 150, "１２０～１５０分"),
    ],
}

OFFICIAL = ("common", "counselor", "chief")
HOURS_NOTE = "講義・演習（７～８時間程度）"


# A copy of the source document lives in tests/source/, so the check never depends on
# where the repository is cloned.
SEED_PATH = Path(__file__).resolve().parent / "source" / SEED_NAME


def _squeeze(text: str) -> str:
    """Drop all whitespace, so PDF line breaks and layout spaces do not matter."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def theme2() -> str:
    """The seed's theme ② (from the line "テーマ②" on), whitespace removed."""
    text = SEED_PATH.read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "テーマ②")
    return _squeeze("\n".join(lines[start:]))


@pytest.fixture(scope="module")
def curricula():
    return load_curricula()


def test_all_four_load_in_order(curricula):
    assert tuple(curricula) == CURRICULUM_KEYS
    for key, curriculum in curricula.items():
        assert curriculum.key == key
        assert curriculum.hours_min == 420 and curriculum.hours_max == 480


@pytest.mark.parametrize("key", OFFICIAL)
def test_subjects_match_source_table(curricula, key):
    actual = [(s.letter, s.name, s.national_lectures, s.minutes_min, s.minutes_max, s.minutes_text)
              for s in curricula[key].subjects]
    assert actual == EXPECTED[key]


def test_sixteen_official_subjects():
    assert sum(len(rows) for rows in EXPECTED.values()) == 16


@pytest.mark.parametrize("key", OFFICIAL)
def test_transcription_occurs_in_seed(theme2, curricula, key):
    """Every name, lecture and minutes text of the table literal and the data is in the seed."""
    rows = EXPECTED[key]
    subjects = curricula[key].subjects
    for (letter, name, lectures, _low, _high, minutes_text), subject in zip(rows, subjects):
        for text in (name, subject.name, minutes_text, subject.minutes_text,
                     *lectures, *subject.national_lectures):
            assert _squeeze(text) in theme2, f"{key} {letter}: {text!r} not in the seed"


@pytest.mark.parametrize("key", OFFICIAL)
def test_quoted_remarks_occur_in_seed(theme2, curricula, key):
    """Curriculum notes, hour notes and separate-day remarks quote the seed."""
    curriculum = curricula[key]
    assert _squeeze(curriculum.hours_note) in theme2
    for note in curriculum.notes:
        assert _squeeze(note) in theme2, f"{key}: note {note!r} not in the seed"
    for subject in curriculum.subjects:
        # parts are joined by "／"; an editorial remark in ［］ is ours, not the source's
        for part in subject.separate_day_note.split("／"):
            part = re.sub(r"［[^］]*］", "", part)
            if part:
                assert _squeeze(part) in theme2, f"{key} {subject.letter}: {part!r} not in the seed"


@pytest.mark.parametrize("key", OFFICIAL)
def test_official_hours_note(curricula, key):
    curriculum = curricula[key]
    assert curriculum.official is True
    assert curriculum.hours_note == HOURS_NOTE
    assert curriculum.draft_note == ""
    assert all(not s.unconfirmed for s in curriculum.subjects)


def test_job_support_is_a_marked_draft(curricula):
    draft = curricula["job_support"]
    assert draft.official is False
    assert "たたき台" in draft.title
    assert draft.draft_note.strip()
    assert "国研修の科目表に基づくものではありません" in draft.draft_note
    assert 4 <= len(draft.subjects) <= 6
    for subject in draft.subjects:
        assert subject.unconfirmed.strip(), f"job_support {subject.letter} lacks 'unconfirmed'"
        assert subject.is_range


def test_separate_day_remarks(curricula):
    marked = {(key, s.letter) for key, c in curricula.items() for s in c.subjects
              if s.may_move_to_separate_day}
    assert marked == {("common", "C"), ("counselor", "C"), ("counselor", "D"), ("chief", "E")}
    assert "シンポジウム" in curricula["common"].subject("C").separate_day_note
    for letter in "CD":
        assert "シンポジウムもしくは講演会" in curricula["counselor"].subject(letter).separate_day_note
    chief_e = curricula["chief"].subject("E").separate_day_note
    # the source writes 科目D for 支援困難事例の検討, which its table lists as E
    assert "科目D「支援困難事例の検討」" in chief_e
    assert "スーパービジョン" in chief_e


def test_counselor_e_sessions(curricula):
    subject = curricula["counselor"].subject("E")
    sessions = [(s.title, s.minutes_min, s.minutes_max) for s in subject.sessions]
    assert sessions == [
        ("セッション① 包括的な相談受付の場面", 20, 40),
        ("セッション② 初回面接の場面", 30, 40),
        ("セッション② アセスメントの場面", 50, 60),  # the source numbers it ② again
        ("セッション③ プランの作成から評価・終結の場面 [その１]", 20, 30),
        ("セッション③ プランの作成から評価・終結の場面 [その２]", 15, 15),
    ]
    assert subject.sessions[-1].note.startswith("１５分程度")


def test_counselor_e_sessions_in_seed(theme2, curricula):
    for session in curricula["counselor"].subject("E").sessions:
        assert _squeeze(session.title) in theme2


def test_other_sessions(curricula):
    def minutes(key, letter):
        return [(s.minutes_min, s.minutes_max) for s in curricula[key].subject(letter).sessions]

    assert minutes("counselor", "A") == [(20, 30), (60, 60)]
    assert minutes("counselor", "B") == [(30, 30), (30, 30)]
    assert minutes("counselor", "C") == [(10, 10), (50, 60)]
    assert minutes("counselor", "D") == [(10, 10), (30, 40), (30, 50)]
    assert minutes("chief", "D") == [(30, 30), (30, 40), (30, 30)]


def test_uses_cases(curricula):
    with_cases = {(key, s.letter) for key, c in curricula.items() if key in OFFICIAL
                  for s in c.subjects if s.uses_cases}
    assert with_cases == {("common", "C"), ("common", "D"), ("counselor", "A"),
                          ("counselor", "D"), ("counselor", "E"), ("chief", "D"), ("chief", "E")}


@pytest.mark.parametrize("key", CURRICULUM_KEYS)
def test_minimum_fits_default_day(curricula, key):
    """The default day (09:00-17:45) less 10 min opening, 10 min closing, 45 min lunch and 10 min
    between the other subjects must hold the minimum total."""
    curriculum = curricula[key]
    room = 525 - 10 - 10 - 45 - (len(curriculum.subjects) - 2) * 10
    assert curriculum.minutes_min <= room


def test_totals(curricula):
    totals = {key: (c.minutes_min, c.minutes_max) for key, c in curricula.items()}
    assert totals == {"common": (390, 450), "counselor": (410, 480), "chief": (360, 450),
                      "job_support": (420, 480)}  # the draft's minimum meets its own 7～8 hours


# --- malformed files -------------------------------------------------------------------

VALID = """\
key = "broken"
title = "テスト"
short_title = "テスト"
audience = "支援員"
hours_note = "講義・演習（７～８時間程度）"
hours_min = 420
hours_max = 480
official = true
notes = []
source = "テスト"

[[subjects]]
letter = "A"
name = "科目A"
national_lectures = ["【講義①】A"]
minutes = 60
minutes_text = "６０分"

[[subjects]]
letter = "B"
name = "科目B"
national_lectures = ["【講義②】B"]
minutes_min = 60
minutes_max = 90
minutes_text = "６０～９０分"
"""

SUBJECT_B = VALID.index('letter = "B"')


def _break_b(old: str, new: str) -> str:
    """VALID with one change inside subject B."""
    head, tail = VALID[:SUBJECT_B], VALID[SUBJECT_B:]
    assert old in tail
    return head + tail.replace(old, new, 1)


def test_valid_fixture_parses():
    curriculum = parse_curriculum(VALID, "broken.toml")
    assert [s.letter for s in curriculum.subjects] == ["A", "B"]


@pytest.mark.parametrize("text, field", [
    (_break_b('name = "科目B"\n', ""), "name"),
    (_break_b("minutes_min = 60", "minutes_min = 120"), "minutes"),
    (_break_b("minutes_min = 60\nminutes_max = 90", 'minutes = "60"'), "minutes"),
    (_break_b('national_lectures = ["【講義②】B"]', "national_lectures = []"), "national_lectures"),
    (_break_b('minutes_text = "６０～９０分"', 'minutes_text = ""'), "minutes_text"),
], ids=["missing-name", "min-above-max", "string-minutes", "empty-lectures", "empty-text"])
def test_malformed_subject_names_file_subject_and_field(text, field):
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(text, "broken.toml")
    message = str(caught.value)
    assert "broken.toml" in message
    assert "subject B" in message
    assert f"'{field}'" in message


def test_duplicate_letter():
    text = _break_b('letter = "B"', 'letter = "A"')
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(text, "broken.toml")
    message = str(caught.value)
    assert "broken.toml" in message
    assert "'letter'" in message
    assert "'A', 'A'" in message  # the loader lists the letters; the repeated one shows twice


def test_invalid_toml_names_file_and_line():
    text = _break_b('name = "科目B"', 'name = "科目B')
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(text, "broken.toml")
    message = str(caught.value)
    assert "broken.toml" in message
    assert "not valid TOML" in message
    # the TOML parser cannot know the subject; it names the line of subject B's name instead
    line = text[:text.index('name = "科目B')].count("\n") + 1
    assert f"line {line}" in message


def test_missing_top_level_field_names_file_and_field():
    text = VALID.replace('audience = "支援員"\n', "")
    with pytest.raises(CurriculumError, match=r"broken\.toml.*'audience'"):
        parse_curriculum(text, "broken.toml")


def test_draft_without_note_is_rejected():
    text = VALID.replace("official = true", "official = false")
    with pytest.raises(CurriculumError, match=r"broken\.toml.*'draft_note'"):
        parse_curriculum(text, "broken.toml")


def test_bad_session_names_subject_and_session():
    text = VALID + '\n[[subjects.sessions]]\ntitle = "部分"\nminutes_min = 40\nminutes_max = 20\n'
    with pytest.raises(CurriculumError) as caught:
        parse_curriculum(text, "broken.toml")
    message = str(caught.value)
    assert "broken.toml" in message and "subject B session 1" in message
    assert "'minutes'" in message


def test_draft_without_participant_note_is_rejected():
    text = VALID.replace("official = true", 'official = false\ndraft_note = "案です"')
    with pytest.raises(CurriculumError, match=r"broken\.toml.*'participant_note'"):
        parse_curriculum(text, "broken.toml")


def test_editor_notes_must_be_strings():
    text = _break_b('name = "科目B"', 'name = "科目B"\neditor_notes = [1]')
    with pytest.raises(CurriculumError, match=r"subject B.*'editor_notes'"):
        parse_curriculum(text, "broken.toml")
