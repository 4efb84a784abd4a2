"""The materials of a training: one page per training (by subject), one findings page per
case file; uploads, statuses, downloads, and the settling of the anonymity findings.

Officials see and change everything; the plan's members see the materials of their plan, and
those who hold one of a subject's slots (or own the material) upload and change its status.
A case file not yet settled is read only by its uploader and the officials (「匿名化の確認が
終わるまで共有できません」); they settle the whole replacement table at once, and a version
destroyed by that answers 410 to everyone.
"""
from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask import Request as FlaskRequest
from flask_login import current_user, login_required

from planner.domain.anonymity import KIND_NAMES
from planner.models import Material, MaterialVersion, TrainingSubject
from planner.services.backup import plan as backup
from planner.services.errors import ChangeRefused
from planner.services.materials import anonymise
from planner.services.materials import files as materials
from planner.services.plans.editions import curriculum_for
from planner.services.plans.timetables import subject_title
from planner.services.team.roster import member_for
from planner.web import once
from planner.web.access import official_required, training_or_404
from planner.web.forms import ConfirmForm
from planner.web.material_forms import FILE_HINT, MaterialForm, OwnerForm, StatusForm, VersionForm

bp = Blueprint("materials", __name__)

#: the endpoints that take a material's file, and so the larger upload limit
UPLOADS = {"materials.add", "materials.upload"}


class UploadRequest(FlaskRequest):
    """The app's request: the materials' uploads may be as large as MATERIAL_MAX_BYTES, and a
    plan's file (with its materials) as backup.MAX_BYTES (and a little for the form around
    them); every other request keeps MAX_CONTENT_LENGTH."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.endpoint in UPLOADS:
            return current_app.config["MATERIAL_MAX_BYTES"] + 256 * 1024
        if self._max_content_length is None and current_app and self.endpoint == "plans.import_json":
            return backup.MAX_BYTES + 256 * 1024  # a plan's file carries its materials
        return FlaskRequest.max_content_length.fget(self)


# --------------------------------------------------------------------------- access

def _member(training):
    """The viewer's roster entry in the training's plan (None for an official); looked up once
    per request, as a page asks it for every material."""
    if current_user.is_official:
        return None
    found = g.setdefault("roster_entries", {})
    if training.plan_id not in found:
        found[training.plan_id] = member_for(training.plan, current_user.email)
    return found[training.plan_id]


def _visible_training(training_id: int):
    training = training_or_404(training_id)
    if not current_user.is_official and _member(training) is None:
        abort(403)
    return training


def _material_or_404(material_id: int) -> Material:
    material = materials.find_material(material_id)
    if material is None:
        abort(404)
    _visible_training(material.subject.training_id)
    return material


def _may_edit(subject: TrainingSubject, material: Material | None = None) -> bool:
    """Officials; the holders of the subject's slots; the material's owner."""
    if current_user.is_official:
        return True
    member = _member(subject.training)
    return member is not None and (member.id in materials.subject_holder_ids(subject)
                                   or (material is not None and material.owner_id == member.id))


def _editable(material: Material) -> Material:
    if not _may_edit(material.subject, material):
        abort(403)
    return material


def _may_download(material: Material, version: MaterialVersion) -> bool:
    """A case file reaches the rest of the team only as its latest, settled version; until
    then only its uploader and the officials read it. A destroyed version is no one's."""
    if version.destroyed_at is not None:
        return False
    if not material.is_case:
        return True
    if materials.can_share(material) and version is material.latest:
        return True
    return current_user.is_official or (bool(version.uploaded_by_email)
                                        and version.uploaded_by_email == current_user.email.lower())


# --------------------------------------------------------------------------- pages

@bp.app_template_global()
def late_materials(training) -> list[Material]:
    """For the training's page: the materials past their due date and not finished."""
    return materials.late_materials(training, date.today())


def _page(training, status: int = 200, refused: list[str] | None = None, forms: dict | None = None):
    """The training's materials by subject; `forms` are the submitted forms to show again."""
    forms = forms or {}
    today = date.today()
    rows = []
    for row in training.subjects:
        items = [(m, _material_forms(m, forms)) for m in row.materials]
        add_form = forms.get(f"s{row.id}") or MaterialForm(prefix=f"s{row.id}", formdata=None)
        rows.append((row, subject_title(training, row), items, add_form, _may_edit(row)))
    return render_template(
        "materials/training.html", training=training, rows=rows, refused=refused, today=today,
        error_forms=[form for form in forms.values() if form.errors],
        curriculum=curriculum_for(training), due=materials.training_due(training),
        late=materials.late_materials(training, today), file_hint=FILE_HINT,
        max_mb=current_app.config["MATERIAL_MAX_BYTES"] // (1024 * 1024),
        service=materials, may_download=_may_download, may_edit=_may_edit), status


def _material_forms(material: Material, forms: dict) -> dict:
    prefix = f"m{material.id}"
    owner_form = forms.get(prefix + "o") or OwnerForm(prefix=prefix + "o", formdata=None,
                                                      obj=material)
    owner_form.owner_id.choices = [(0, "資料作成役（既定）")] + [
        (m.id, m.name) for m in material.subject.training.plan.members]
    owner_form.owner_id.data = owner_form.owner_id.data or material.owner_id or 0
    return {"version": forms.get(prefix + "v") or VersionForm(prefix=prefix + "v", formdata=None),
            "status": forms.get(prefix + "s") or StatusForm(prefix=prefix + "s", formdata=None,
                                                           obj=material),
            "owner": owner_form}


def _back(training_id: int, material_id: int | None = None):
    anchor = f"#material-{material_id}" if material_id else ""
    return redirect(url_for("materials.training", training_id=training_id) + anchor)


@bp.route("/trainings/<int:training_id>/materials")
@login_required
def training(training_id: int):
    return _page(_visible_training(training_id))


@bp.route("/trainings/<int:training_id>/subjects/<int:subject_id>/materials", methods=["POST"])
@login_required
def add(training_id: int, subject_id: int):
    training = _visible_training(training_id)
    subject = next((row for row in training.subjects if row.id == subject_id), None)
    if subject is None:
        abort(404)
    if not _may_edit(subject):
        abort(403)
    form = MaterialForm(prefix=f"s{subject.id}")
    if not form.validate_on_submit():
        return _page(training, 422, forms={f"s{subject.id}": form})
    again = once.first_submit(url_for("materials.training", training_id=training.id))
    if again:
        return again
    try:
        material = materials.register_material(subject, form.title.data, form.category.data, form.is_case.data,
                                               current_user.name, _upload(form.file), _max_bytes(),
                                               current_user.email, _remember_upload)
    except ChangeRefused as exc:
        return _page(training, 422, refused=exc.messages, forms={f"s{subject.id}": form})
    flash(f"資料「{material.title}」を登録しました。", "success")
    return redirect(_after_upload(material))


@bp.route("/materials/<int:material_id>/versions", methods=["POST"])
@login_required
def upload(material_id: int):
    material = _editable(_material_or_404(material_id))
    training = material.subject.training
    prefix = f"m{material.id}v"
    form = VersionForm(prefix=prefix)
    if not form.validate_on_submit():
        return _page(training, 422, forms={prefix: form})
    again = once.first_submit(url_for("materials.training", training_id=training.id))
    if again:
        return again
    try:
        version = materials.register_version(material, _upload(form.file), current_user.name, _max_bytes(),
                                             current_user.email, _remember_upload)
    except ChangeRefused as exc:
        return _page(training, 422, refused=exc.messages, forms={prefix: form})
    flash(f"「{material.title}」の第{version.number}版を保存しました。", "success")
    return redirect(_after_upload(material))


def _upload(field) -> materials.Upload | None:
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    try:
        return materials.Upload(file_name=storage.filename, data=storage.read())
    finally:
        storage.close()  # a large upload is spooled to a temporary file


def _max_bytes() -> int:
    return current_app.config["MATERIAL_MAX_BYTES"]


def _after_upload(material: Material) -> str:
    """A case file with findings to settle goes to its findings; anything else back to the list."""
    if material.is_case and materials.open_findings(material):
        return url_for("materials.findings", material_id=material.id)
    return url_for("materials.training", training_id=material.subject.training_id) + f"#material-{material.id}"


def _remember_upload(material: Material) -> None:
    """Where the upload's first submit led (see planner.web.once), set just before the commit."""
    once.remember(_after_upload(material))


@bp.route("/materials/<int:material_id>/status", methods=["POST"])
@login_required
def set_status(material_id: int):
    material = _editable(_material_or_404(material_id))
    prefix = f"m{material.id}s"
    form = StatusForm(prefix=prefix)
    if not form.validate_on_submit():
        return _page(material.subject.training, 422, forms={prefix: form})
    try:
        materials.change_status(material, form.status.data)
    except ChangeRefused as exc:
        return _page(material.subject.training, 422, refused=exc.messages, forms={prefix: form})
    flash(f"「{material.title}」の状況を「{material.status_name}」にしました。", "success")
    return _back(material.subject.training_id, material.id)


@bp.route("/materials/<int:material_id>/owner", methods=["POST"])
@official_required
def set_owner(material_id: int):
    material = _material_or_404(material_id)
    prefix = f"m{material.id}o"
    form = OwnerForm(prefix=prefix)
    form.owner_id.choices = [(0, "")] + [(m.id, m.name) for m in material.subject.training.plan.members]
    if not form.validate_on_submit():
        return _page(material.subject.training, 422, forms={prefix: form})
    owner = next((m for m in material.subject.training.plan.members if m.id == form.owner_id.data), None)
    try:
        materials.assign_owner(material, owner, form.due_on.data)
    except ChangeRefused as exc:
        return _page(material.subject.training, 422, refused=exc.messages, forms={prefix: form})
    flash(f"「{material.title}」の担当者と締切を保存しました。", "success")
    return _back(material.subject.training_id, material.id)


@bp.route("/materials/<int:material_id>/delete", methods=["GET", "POST"])
@official_required
def delete(material_id: int):
    """GET asks for confirmation; POST removes the material with every version."""
    material = _material_or_404(material_id)
    training_id = material.subject.training_id
    form = ConfirmForm()
    if form.validate_on_submit():
        title = material.title
        materials.remove_material(material)
        flash(f"資料「{title}」を削除しました。", "success")
        return _back(training_id)
    return render_template("materials/delete.html", material=material, form=form)


@bp.route("/materials/<int:material_id>/versions/<int:number>/download")
@login_required
def download(material_id: int, number: int):
    material = _material_or_404(material_id)
    version = next((v for v in material.versions if v.number == number), None)
    if version is None:
        abort(404)
    if version.destroyed_at is not None:
        return render_template("materials/blocked.html", material=material,
                               blocked="この版のファイルは、匿名化の確定のときに削除されました"), 410
    if not _may_download(material, version):
        return render_template("materials/blocked.html", material=material, blocked=materials.BLOCKED), 403
    response = send_file(BytesIO(materials.version_bytes(version)), mimetype=materials.MIMETYPES[version.kind],
                         as_attachment=True, download_name=version.file_name, max_age=0)
    return response


# --------------------------------------------------------------------------- findings

def _may_settle(material: Material) -> bool:
    """The reporter (who uploaded the latest version) and the officials read the findings'
    strings and settle them; the rest of the team sees kinds and counts."""
    return anonymise.may_settle(material, current_user.email, current_user.is_official)


def _findings_page(material: Material, status: int = 200, refused: list[str] | None = None,
                   answers: dict | None = None):
    """The latest version's findings as one replacement table, and the history without strings;
    `answers` are the submitted choices to show again ({row number: (action, text)})."""
    check = materials.current_check(material)
    may_settle = _may_settle(material)
    rows = anonymise.table(check) if check and may_settle else []
    answers = answers or {}
    return render_template(
        "materials/findings.html", material=material, check=check, rows=rows, answers=answers,
        kind_names=KIND_NAMES, training=material.subject.training, refused=refused, blocked=materials.BLOCKED,
        can_share=materials.can_share(material), may_settle=may_settle,
        open_count=len(materials.open_findings(material)),
        replaceable=material.latest is not None and material.latest.kind in materials.REPLACEABLE,
        subject_name=subject_title(material.subject.training, material.subject),
        history=anonymise.history(material), form=ConfirmForm(formdata=None)), status


@bp.route("/materials/<int:material_id>/findings")
@login_required
def findings(material_id: int):
    material = _material_or_404(material_id)
    if not material.is_case:
        abort(404)
    return _findings_page(material)


@bp.route("/materials/<int:material_id>/findings/settle", methods=["POST"])
@login_required
def settle(material_id: int):
    """Every open finding at once: each row of the table replaced or kept as a false alarm;
    one new version, the earlier ones destroyed."""
    material = _material_or_404(material_id)
    if not material.is_case:
        abort(404)
    if not _may_settle(material):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    answers, choices = {}, {}
    for key, value in request.form.items():
        if key.startswith("action-") and key[7:].isdigit():
            number = int(key[7:])
            text = request.form.get(f"text-{number}", "")
            answers[number] = (value, text)
            if value == "replace":
                choices[number] = text
            elif value == "keep":
                choices[number] = None
    check_id = request.form.get("check", "")
    if not check_id.isdigit():
        abort(400)
    again = once.first_submit(url_for("materials.findings", material_id=material.id))
    if again:
        return again
    back = url_for("materials.findings", material_id=material.id)
    try:
        version = anonymise.settle_findings(material, int(check_id), choices, current_user.name, current_user.email,
                                            lambda: once.remember(back))
    except ChangeRefused as exc:
        return _findings_page(materials.find_material(material_id), 422, refused=exc.messages, answers=answers)
    if version is not None:
        flash(f"すべての項目を確定し、置き換えた第{version.number}版を作りました。それより前の版のファイルは削除しました。",
              "success")
    else:
        flash("すべての項目を誤検出として確定しました。", "success")
    return redirect(url_for("materials.findings", material_id=material.id))
