"""Options stay options (issue 24): every 「考えられる」/「望ましい」/「方法もある」 of the source's
curriculum guidance is an option of its subject, off by default, worded as the source words it.

The list below is drawn by hand from tests/source (theme ②); the first test checks that it
covers every such phrase of the source, so a phrase the list forgets fails the test.
"""
import re
from pathlib import Path

import pytest

from curricula import CurriculumError, load_curricula, parse_curriculum
from planner.domain.schedule import subjects_of

SOURCE = Path(__file__).parent / "source" / "000_8b1a414585d48dd3.txt"
PHRASES = ("考えられる", "望ましい", "方法もある")


def flat(text: str) -> str:
    """The source wraps lines mid-word: compare without whitespace."""
    return re.sub(r"\s+", "", text)


THEME2 = flat(SOURCE.read_text(encoding="utf-8").split("テーマ②", 1)[1])

#: (a snippet of the source ending at the phrase, curriculum, subject, option key)
OPTIONS = [
    ("ワーク1～4を用いることが考えられる", "common", "B", "works1to4"),
    ("理解できるようにすることが望ましい", "common", "B", "works1to4"),
    ("他の絵や記号を描いてもらうワークに変更するなどの方法が考えられる", "common", "B", "shooting_star"),
    ("時間をかけて講義・演習を行う方法も考えられる", "common", "C", "developmental"),
    ("支援機関等について解説する方法も考えられる", "common", "C", "lecturer_practice"),
    ("別の研修やケース会議などで補うことも考えられる", "common", "C", "other_training"),
    ("不足する視点は補うことが望ましい。研修プログラムのポイントと進め方", "common", "C", "symposium"),
    ("講義と演習⑦前半のワークを実際に取り入れることが望ましい", "common", "F", "first_half_work"),
    ("確認するワークを取り入れることが望ましい", "common", "F", "map_work"),
    ("順番に説明することも考えられる", "counselor", "D", "three_stages"),
    ("対談形式で講義を進める方法も考えられる", "counselor", "D", "dialogue"),
    ("課題を解決した事例等が考えられる", "counselor", "D", "strategic_case"),
    ("活動内容について報告してもらう方法もある", "counselor", "D", "partners_report"),
    ("不足する視点を補う方法もある", "counselor", "C", "symposium"),
    ("不足する視点を補う方法もある", "counselor", "D", "symposium"),
    ("１～２人程度が報告する方法が考えられる", "counselor", "C", "practice_reports"),
    ("講演会等で解説してもらう方法も考えられる", "counselor", "C", "hellowork_lecture"),
    ("受講者が実際に各種帳票を作成していくことが望ましい", "counselor", "E", "forms"),
    ("不足する視点は補うことが望ましい。※国研修を受講していない", "chief", "E", "symposium"),
    ("実際の取組事例をもとに説明することも望ましい", "chief", "E", "supervision"),
    ("別途研修の機会を設ける方法もある", "chief", "E", "supervision_training"),
]

#: phrases that are not a way to run one subject, with the reason
NOT_OPTIONS = [
    ("地域の実情に応じた研修を開催することが望ましい", "purpose of cascade training, not a subject"),
    ("市町村単独での開催が困難である場合も考えられる", "purpose of cascade training"),
    ("積極的にノウハウの蓄積に努めることが望ましい", "purpose (the local fifth training)"),
    ("各研修を１日程度にコンパクト化して開催することが考えられる", "step 1: the training's length"),
    ("事例検討会で補うことも考えられる", "step 1: supplements for any subject (supplementary events)"),
    ("小規模自治体もメンバーに加わることが望ましい", "step 1: the team"),
    ("講師が実際に関わった事例を用いることも考えられる", "step 2: general advice on cases"),
    ("【講義と演習⑤－１、２】生活困窮者支援に必要と考えられる", "a subject's name"),
    ("科目C「生活困窮者支援に必要と考えられる", "a subject's name"),
    ("C．生活困窮者支援に必要と考えられる", "a subject's name"),
    ("C生活困窮者支援に必要と考えられる", "a subject's name (the table)"),
    ("任意事業の担当者が参画することが望ましい", "key point: practice in the field, not the training"),
    ("話し合っておくことが重要と考えられる", "key point: practice in the field, not the training"),
    ("本人の主訴を明らかにするなどが考えられる", "key point: answers to worksheet 1"),
]


def occurrences() -> list[int]:
    return sorted(m.end() for phrase in PHRASES for m in re.finditer(phrase, THEME2))


def covering(snippet: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(re.escape(snippet), THEME2)]


def test_every_phrase_of_the_source_is_listed():
    spans = [span for snippet, *_ in OPTIONS + NOT_OPTIONS for span in covering(snippet)]

    missing = [THEME2[max(0, end - 40):end] for end in occurrences()
               if not any(start < end <= stop for start, stop in spans)]

    assert missing == []
    assert all(covering(snippet) for snippet, *_ in OPTIONS + NOT_OPTIONS)  # every snippet is the source's


@pytest.mark.parametrize("snippet,key,letter,option", OPTIONS, ids=lambda x: x if isinstance(x, str) else "")
def test_each_phrase_is_an_option_worded_as_the_source(snippet, key, letter, option):
    subject = load_curricula()[key].subject(letter)

    found = subject.option(option)

    assert found is not None
    phrase = snippet.split("。")[0]
    assert phrase in flat(found.source)
    assert flat(found.source) in THEME2  # the source's own sentence, not a paraphrase
    guidance = flat("".join(subject.how_to_run + subject.key_points) + subject.separate_day_note)
    assert phrase in guidance  # the guidance keeps 「考えられる」/「望ましい」


@pytest.mark.parametrize("key", ["common", "counselor", "chief"])
def test_options_are_off_by_default(key):
    curriculum = load_curricula()[key]
    optional = {x.title for s in curriculum.subjects for x in s.sessions if x.optional}

    sessions = {p.title for spec in subjects_of(curriculum) for p in spec.parts}

    assert sessions & optional == set()
    assert "講師自身の取組実践の報告" in optional or key != "common"
    assert "スーパーバイズの視点：主任相談支援員としての対応の実例" in optional or key != "chief"


def test_counselor_e_keeps_the_plan_is_not_a_formality():
    e = load_curricula()["counselor"].subject("E")

    assert any("形式的なものではなく、相談者が、「どのように生きるか」" in point for point in e.key_points)


def test_any_options_may_be_on_together_but_one_length_only():
    counselor_d = load_curricula()["counselor"].subject("D")
    chief_c = load_curricula()["chief"].subject("C")

    assert counselor_d.option_problems(["dialogue", "three_stages", "strategic_case"]) == []
    assert chief_c.option_problems(["60", "75"]) == ["科目Cの時間は一つだけ選べます（60分・75分が選ばれています）。"]
    assert chief_c.option_problems(["90"]) == ["科目Cには選択肢「90」がありません。"]
    assert chief_c.option_minutes(["75"]) == (75, 75) and chief_c.option_minutes([]) == (60, 75)
    assert [o.key for o in counselor_d.chosen(["strategic_case", "dialogue"])] == ["dialogue", "strategic_case"]


def test_two_options_of_a_subject_both_reach_the_scheduler_input():
    counselor = load_curricula()["counselor"]

    both = {p.title for spec in subjects_of(counselor, {"D": {"dialogue", "three_stages"}}) for p in spec.parts}

    assert "任意事業の担当者との対談形式の講義（任意）" in both
    with pytest.raises(TypeError):
        subjects_of(counselor, {"D": "dialogue"})  # a bare key would be read letter by letter


def test_an_option_key_must_not_hold_the_separator():
    text = (Path(__file__).parents[1] / "curricula" / "counselor.toml").read_text(encoding="utf-8")

    with pytest.raises(CurriculumError, match="'key' 'dia,logue' must be letters"):
        parse_curriculum(text.replace('key = "dialogue"', 'key = "dia,logue"'), "broken.toml")
