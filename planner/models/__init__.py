"""The tables, one module per concept.

`from planner.models import Plan` imports the module that defines the name when it is first
asked for (PEP 562), so a command that only reads plans maps the tables it uses, not all 43
(`flask plans`; bench/bench_cli.py). `load_all()` registers every table: the app, the migrations
and create_all need them all, and so does a write, since a table's cascades and backrefs may be
declared in the module of another table that refers to it.
"""
import importlib

#: module -> the names it gives this package
_NAMES = {
    "account": ("FormSubmission", "Invitation", "LoginAttempts", "Prefecture", "User"),
    "calendar": ("EventVersion", "PublishedEvent"),
    "conflicts": ("SlotConflict",),
    "editions": ("CurriculaEdition",),
    "mail": ("OutboxMessage",),
    "materials": ("FINDING_STATUSES", "MATERIAL_CATEGORIES", "MATERIAL_STATUSES", "AnonymityCheck",
                  "CheckFinding", "Material", "MaterialVersion"),
    "participants": ("MUNICIPALITY_TYPES", "PARTICIPANT_KINDS", "PARTICIPANT_STATUSES", "ApplicationLink",
                     "GroupFacilitator", "KeepApart", "Municipality", "Participant"),
    "password_tokens": ("PasswordToken",),
    "plan": ("SUPPLEMENT_EFFECTS", "SUPPLEMENT_KINDS", "Plan", "ProgrammeVersion", "SupplementaryEvent",
             "Symposist", "Training", "TrainingSubject"),
    "programme": ("PROGRAMME_FIELDS", "ProgrammeEntry", "join_option_keys", "split_option_keys"),
    "published": ("PublishedDocument",),
    "survey": ("ChangeItem", "FollowUp", "GroupFinding", "SurveyAnswer", "SurveyLink", "SurveyQuestion",
               "SurveyResponse"),
    "team": ("MemberCourse", "MemberUnavailable", "RoleSlot", "TeamMember"),
    "timeline": ("CarriedTodo", "ChecklistTick", "MeetingAnswer", "Milestone"),
}
_MODULE_OF = {name: module for module, names in _NAMES.items() for name in names}
#: these name each other's classes in strings (Plan.members is team.py's, ProgrammeEntry.subject
#: plan.py's), which the mapper looks up when a query first runs; most other tables refer to a
#: plan or a training. So any name loads them first.
_CORE = ("programme", "plan", "team")


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for module in _CORE:
        importlib.import_module(f"{__name__}.{module}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)


def load_all() -> None:
    """Register every table with the database handle (planner.models.db)."""
    for module in _NAMES:
        importlib.import_module(f"{__name__}.{module}")
