"""The survey's rules, pure: the questions a programme gives, reading a submitted answer,
and the aggregation (counts, averages, distributions) the results page, the report, the
.xlsx and the CLI all show, so they cannot disagree.

Averages are rounded half up to two places with Decimal, the way Excel's ROUND shows them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SCALE = (1, 2, 3, 4, 5)
#: the words under each point of a 5-point question, 5 first (as printed on the paper survey)
SCALE_LABELS = {5: "とてもそう思う", 4: "そう思う", 3: "どちらともいえない", 2: "あまりそう思わない",
                1: "そう思わない"}
#: participant kinds for grouping the results (the answer's own choice, never the roster's)
KIND_CHOICES = ("支援員", "行政", "関係機関")
#: themes the next training could take up (the source's recurring topics), plus その他
THEME_CHOICES = ("アセスメント", "支援計画の作成", "就労支援", "家計改善支援", "居住支援", "ひきこもり支援",
                 "権利擁護", "地域づくり・社会資源の開発", "関係機関との連携", "その他")
TEXT_LIMIT = 1000


@dataclass(frozen=True)
class SubjectRef:
    """A subject of the programme as a survey sees it."""

    subject_id: int
    title: str
    lecturer: str


@dataclass(frozen=True)
class QuestionSpec:
    """A question to create: kind (scale, single, multiple, text), its text and choices."""

    kind: str
    text: str
    aspect: str
    required: bool = False
    choices: tuple[str, ...] = ()
    subject_id: int | None = None


def questions_from_programme(subjects: Iterable[SubjectRef]) -> list[QuestionSpec]:
    """Per subject understanding and usefulness (5 points, required) and a comment; then the
    overall satisfaction, the themes wanted next time, free text, and the participant's kind."""
    specs: list[QuestionSpec] = []
    for s in subjects:
        who = f"（講師：{s.lecturer}）" if s.lecturer else ""
        specs += [QuestionSpec("scale", f"{s.title}{who}の内容を理解できた", "understanding", True, (), s.subject_id),
                  QuestionSpec("scale", f"{s.title}{who}は業務に役立つ", "usefulness", True, (), s.subject_id),
                  QuestionSpec("text", f"{s.title}についてのご意見・ご感想", "comment", False, (), s.subject_id)]
    specs += [QuestionSpec("scale", "研修全体に満足した", "satisfaction", True),
              QuestionSpec("multiple", "次回の研修で取り上げてほしいテーマ（いくつでも）", "themes", False, THEME_CHOICES),
              QuestionSpec("text", "その他、研修全体についてのご意見・ご感想", "free"),
              QuestionSpec("single", "あなたの立場（集計の区分にだけ使います）", "participant_kind", True, KIND_CHOICES)]
    return specs


@dataclass(frozen=True)
class QuestionView:
    """What reading and aggregating an answer needs to know of a question."""

    id: int
    kind: str
    text: str
    required: bool
    choices: tuple[str, ...]


@dataclass(frozen=True)
class ParsedAnswer:
    question_id: int
    number: int | None = None
    text: str = ""


def parse_answers(questions: list[QuestionView], form: dict[str, list[str]]) -> tuple[list[ParsedAnswer], dict[int, str]]:
    """The answers in a submitted form (`q<id>` -> values), and a Japanese message per question
    that is wrong. Unanswered optional questions give no answer."""
    answers, errors = [], {}
    for q in questions:
        values = [v.strip() for v in form.get(f"q{q.id}", []) if v.strip()]
        if not values:
            if q.required:
                errors[q.id] = "この質問は回答が必要です。"
            continue
        if q.kind == "scale":
            if len(values) != 1 or values[0] not in {str(n) for n in SCALE}:
                errors[q.id] = "1〜5 のどれかを選んでください。"
            else:
                answers.append(ParsedAnswer(q.id, number=int(values[0])))
        elif q.kind in ("single", "multiple"):
            if any(v not in q.choices for v in values) or (q.kind == "single" and len(values) > 1):
                errors[q.id] = "選択肢の中から選んでください。"
            else:
                chosen = [c for c in q.choices if c in values]  # the question's order, no duplicates
                answers.append(ParsedAnswer(q.id, text="\n".join(chosen)))
        else:
            text = "\n".join(values).replace("\r\n", "\n")
            if len(text) > TEXT_LIMIT:
                errors[q.id] = f"{TEXT_LIMIT}字以内で書いてください（いま{len(text)}字）。"
            else:
                answers.append(ParsedAnswer(q.id, text=text))
    return answers, errors


def round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Summary:
    """One question's results: for a scale the distribution (1..5) and the average; for a
    choice question the count per choice; for free text the number of texts."""

    question: QuestionView
    count: int = 0
    distribution: dict[int, int] = field(default_factory=lambda: {n: 0 for n in SCALE})
    choice_counts: dict[str, int] = field(default_factory=dict)
    total: int = 0

    @property
    def average(self) -> Decimal | None:
        return round2(Decimal(self.total) / self.count) if self.count and self.question.kind == "scale" else None

    @property
    def largest(self) -> int:
        """The biggest bar, so charts scale to it."""
        values = list(self.distribution.values()) + list(self.choice_counts.values())
        return max(values + [1])


def summarise(questions: list[QuestionView], answers: Iterable[tuple[int, int | None, str]]) -> list[Summary]:
    """Aggregate answers given as (question id, number, text) rows."""
    summaries = {q.id: Summary(q, choice_counts={c: 0 for c in q.choices}) for q in questions}
    for question_id, number, text in answers:
        summary = summaries.get(question_id)
        if summary is None:
            continue
        kind = summary.question.kind
        if kind == "scale":
            if number not in summary.distribution:
                continue
            summary.distribution[number] += 1
            summary.total += number
        elif kind in ("single", "multiple"):
            for choice in text.split("\n"):
                if choice in summary.choice_counts:
                    summary.choice_counts[choice] += 1
        elif not text.strip():
            continue
        summary.count += 1
    return [summaries[q.id] for q in questions]


def rate(answered: int, expected: int) -> Decimal | None:
    """The response rate in percent, one decimal; None when nobody was expected."""
    if not expected:
        return None
    return (Decimal(answered * 100) / expected).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
