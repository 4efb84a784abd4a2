"""The groups of a training's group work (班分け), for officials: make them, pin someone,
keep two apart, change a facilitator, and download the 班分け表."""
from flask import Blueprint, flash, redirect, render_template, url_for

from planner.models import PARTICIPANT_KINDS, Training
from planner.services.errors import ChangeRefused
from planner.services.participants import groups
from planner.services.plans.editions import curriculum_for
from planner.services.spreadsheets import XLSX_TYPE
from planner.web import confirm, once
from planner.web.access import official_required, training_or_404
from planner.web.downloads import attachment
from planner.web.forms import ConfirmForm
from planner.web.groups_forms import FacilitatorForm, KeepApartForm, MakeGroupsForm, PinForm
from planner.web.isolated import built_in_child
from planner.web.lazy import lazy_module

# the Word and Excel builders load with the first download, not in every server process
files, handouts, group_files = (lazy_module("exports.files"), lazy_module("exports.handouts"),
                               lazy_module("exports.groups"))

bp = Blueprint("groups", __name__, url_prefix="/trainings")

def _forms(training: Training, view: groups.Overview, **given) -> dict:
    """Every form of the page with its choices; `given` are the submitted ones (with errors)."""
    people = [(p.id, f"{p.name}（{p.municipality.name if p.municipality else '市町村なし'}）") for p in view.accepted]
    numbers = [(0, "固定しない")] + [(g.number, f"第{g.number}班") for g in view.groups]
    members = [(0, "なし")] + [(m.id, f"{m.name}（{m.municipality}）") for m in groups.facilitator_candidates(training)]
    # forms not sent in this request show their defaults, not the other form's data
    make = given.get("make") or MakeGroupsForm(formdata=None, group_size=training.group_size)
    pin = given.get("pin") or PinForm(formdata=None)
    pin.participant_id.choices, pin.group_no.choices = people, numbers
    apart = given.get("apart") or KeepApartForm(formdata=None)
    apart.first_id.choices = apart.second_id.choices = people
    facilitators = {}
    for group in view.groups:
        form = FacilitatorForm(formdata=None, prefix=f"g{group.number}",
                               member_id=group.facilitator.id if group.facilitator else 0)
        form.member_id.choices = members
        facilitators[group.number] = form
    return {"make_form": make, "pin_form": pin, "apart_form": apart, "facilitator_forms": facilitators,
            "confirm_form": ConfirmForm()}


def _page(training: Training, status: int = 200, refused: list[str] | None = None, **given):
    view = groups.overview(training)
    return render_template("groups/show.html", training=training, view=view, kinds=PARTICIPANT_KINDS,
                           curriculum=curriculum_for(training), refused=refused,
                           **_forms(training, view, **given)), status


def _back(training: Training):
    return redirect(url_for("groups.show", training_id=training.id), 303)


@bp.route("/<int:training_id>/groups")
@official_required
def show(training_id: int):
    return _page(training_or_404(training_id))


@bp.route("/<int:training_id>/groups/make", methods=["POST"])
@official_required
def make(training_id: int):
    training = training_or_404(training_id)
    form = MakeGroupsForm()
    if not form.validate_on_submit():
        return _page(training, 422, make=form)
    if confirm.asking() and (view := groups.overview(training)).groups:
        return confirm.page(
            "班を作り直しますか", f"今の{len(view.groups)}班とファシリテーターをすべて決め直します（固定と「別の班」の指定は守ります）。"
            "配った班分け表は使えなくなります。", f"{form.group_size.data}人ずつの班に作り直す",
            url_for("groups.show", training_id=training.id), mailing=False, danger=True)
    try:
        result = groups.make(training, form.group_size.data)
    except ChangeRefused as exc:
        return _page(training, 422, refused=exc.messages, make=form)
    flash(f"{len(result.groups)}つの班を作りました。", "success")
    return _back(training)


@bp.route("/<int:training_id>/groups/pin", methods=["POST"])
@official_required
def pin(training_id: int):
    training = training_or_404(training_id)
    view = groups.overview(training)
    form = PinForm()
    _forms(training, view, pin=form)
    if not form.validate_on_submit():
        return _page(training, 422, pin=form)
    try:
        participant = groups.pin(training, form.participant_id.data, form.group_no.data or None)
    except ChangeRefused as exc:
        return _page(training, 422, refused=exc.messages, pin=form)
    if participant.pinned_group:
        flash(f"{participant.name}さんを第{participant.pinned_group}班に固定しました。"
              "次に「班を作る」を押したときも、この班に入ります。", "success")
    else:
        flash(f"{participant.name}さんの固定を外しました。", "success")
    return _back(training)


@bp.route("/<int:training_id>/groups/apart", methods=["POST"])
@official_required
def apart(training_id: int):
    training = training_or_404(training_id)
    form = KeepApartForm()
    _forms(training, groups.overview(training), apart=form)
    if not form.validate_on_submit():
        return _page(training, 422, apart=form)
    repeated = once.first_submit(url_for("groups.show", training_id=training.id))
    if repeated:
        return repeated
    try:
        once.remember(url_for("groups.show", training_id=training.id))
        groups.add_keep_apart(training, form.first_id.data, form.second_id.data)
    except ChangeRefused as exc:
        return _page(training, 422, refused=exc.messages, apart=form)
    flash("2人を別の班にする指定をしました。次に「班を作る」を押したときから反映されます。", "success")
    return _back(training)


@bp.route("/<int:training_id>/groups/apart/<int:pair_id>/delete", methods=["POST"])
@official_required
def remove_apart(training_id: int, pair_id: int):
    training = training_or_404(training_id)
    if not ConfirmForm().validate_on_submit():
        return _page(training, 400, refused=["送信内容を確認できませんでした。もう一度お試しください。"])
    try:
        groups.remove_keep_apart(training, pair_id)
    except ChangeRefused as exc:
        return _page(training, 404, refused=exc.messages)
    flash("別の班にする指定を外しました。", "success")
    return _back(training)


@bp.route("/<int:training_id>/groups/<int:group_no>/facilitator", methods=["POST"])
@official_required
def facilitator(training_id: int, group_no: int):
    training = training_or_404(training_id)
    form = FacilitatorForm(prefix=f"g{group_no}")
    form.member_id.choices = [(0, "なし")] + [(m.id, m.name) for m in groups.facilitator_candidates(training)]
    if not form.validate_on_submit():
        return _page(training, 422, refused=[f"第{group_no}班のファシリテーター：{m}"
                                             for errors in form.errors.values() for m in errors])
    try:
        groups.set_facilitator(training, group_no, form.member_id.data or None)
    except ChangeRefused as exc:
        return _page(training, 422, refused=exc.messages)
    flash(f"第{group_no}班のファシリテーターを変更しました。", "success")
    return _back(training)


def _name(training: Training) -> str:
    return handouts.safe_filename(f"班分け表_{curriculum_for(training).short_title}")


@bp.route("/<int:training_id>/groups.docx")
@official_required
@built_in_child
def docx(training_id: int):
    training = training_or_404(training_id)
    return attachment(group_files.groups_docx(training), files.DOCX, f"{_name(training)}.docx")


@bp.route("/<int:training_id>/groups.xlsx")
@official_required
@built_in_child
def xlsx(training_id: int):
    training = training_or_404(training_id)
    return attachment(group_files.groups_xlsx(training), XLSX_TYPE, f"{_name(training)}.xlsx")
