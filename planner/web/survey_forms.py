"""Forms of the survey pages that have fixed fields (the answer page's fields come from the
training's questions and are read by planner.domain.survey.parse_answers)."""
from __future__ import annotations

from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from planner.models.survey import FINDING_CATEGORIES, QUESTION_KINDS
from planner.web.forms import Form


class QuestionForm(Form):
    kind = SelectField("質問の種類", choices=[SelectChoice(k, v) for k, v in QUESTION_KINDS.items()])
    text = StringField("質問文", validators=[DataRequired("質問文を入力してください。"), Length(max=300)])
    choices = TextAreaField("選択肢（1行に1つ。1つ選ぶ・複数選ぶのとき）", validators=[Length(max=2000)])
    required = BooleanField("回答を必須にする")


class FindingForm(Form):
    category = SelectField("種類", choices=[SelectChoice(k, v) for k, v in FINDING_CATEGORIES.items()])
    text = TextAreaField("内容（人の名前ではなく役割で書いてください）",
                         validators=[DataRequired("内容を入力してください。"), Length(max=500)])
