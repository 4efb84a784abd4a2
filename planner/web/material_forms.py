"""The materials pages' forms: one per action; several on a page are told apart by a prefix."""
from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional

from planner.models import MATERIAL_CATEGORIES, MATERIAL_STATUSES
from planner.web.forms import REQUIRED, Form, JapaneseDateField, text_field

FILE_HINT = "Word（.docx）、PowerPoint（.pptx）、Excel（.xlsx）、PDF"


class MaterialForm(Form):
    """A new material of a subject, with its first file if there is one already."""

    title = text_field("資料名", "material_title")
    category = SelectField("種類", choices=[SelectChoice(k, v) for k, v in MATERIAL_CATEGORIES.items()],
                           validators=[InputRequired(REQUIRED)], invalid_choice_message="一覧から選んでください。")
    is_case = BooleanField("事例を含む（匿名化の確認をする）")
    file = FileField("ファイル（あとからでも可）")


class VersionForm(Form):
    """A new version of a material's file."""

    file = FileField("新しい版のファイル", validators=[FileRequired("ファイルを選んでください。")])


class StatusForm(Form):
    status = SelectField("状況", choices=[SelectChoice(k, v) for k, v in MATERIAL_STATUSES.items()],
                         validators=[InputRequired(REQUIRED)], invalid_choice_message="一覧から選んでください。")


class OwnerForm(Form):
    """An official sets who the material is with and its own due date."""

    owner_id = SelectField("担当者", coerce=int, invalid_choice_message="一覧から選んでください。")
    due_on = JapaneseDateField("締切（空欄は研修の締切）", validators=[Optional()])
