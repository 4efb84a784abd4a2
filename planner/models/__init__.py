"""The tables, one module per concept; importing this package registers them all."""
from planner.models.account import FormSubmission, Invitation, LoginAttempts, Prefecture, User  # noqa: F401
from planner.models.calendar import EventVersion, PublishedEvent  # noqa: F401
from planner.models.conflicts import SlotConflict  # noqa: F401
from planner.models.editions import CurriculaEdition  # noqa: F401
from planner.models.mail import OutboxMessage  # noqa: F401
from planner.models.materials import (  # noqa: F401
    FINDING_STATUSES,
    MATERIAL_CATEGORIES,
    MATERIAL_STATUSES,
    AnonymityCheck,
    CheckFinding,
    Material,
    MaterialVersion,
)
from planner.models.participants import (  # noqa: F401
    MUNICIPALITY_TYPES,
    PARTICIPANT_KINDS,
    PARTICIPANT_STATUSES,
    ApplicationLink,
    GroupFacilitator,
    KeepApart,
    Municipality,
    Participant,
)
from planner.models.password_tokens import PasswordToken  # noqa: F401
from planner.models.plan import (  # noqa: F401
    SUPPLEMENT_EFFECTS,
    SUPPLEMENT_KINDS,
    Plan,
    ProgrammeVersion,
    SupplementaryEvent,
    Symposist,
    Training,
    TrainingSubject,
)
from planner.models.programme import PROGRAMME_FIELDS, ProgrammeEntry, join_option_keys, split_option_keys  # noqa: F401
from planner.models.published import PublishedDocument  # noqa: F401
from planner.models.survey import (  # noqa: F401
    ChangeItem,
    FollowUp,
    GroupFinding,
    SurveyAnswer,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
)
from planner.models.team import MemberCourse, MemberUnavailable, RoleSlot, TeamMember  # noqa: F401
from planner.models.timeline import CarriedTodo, ChecklistTick, MeetingAnswer, Milestone  # noqa: F401
