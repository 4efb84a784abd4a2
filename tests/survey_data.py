"""Helpers for the survey tests: a training with participants and their survey links, and
answers given through the answer page with known values."""
from __future__ import annotations

import re

from planner.models import Training
from planner.models.db import db
from planner.services.participants.entries import today_in_japan
from planner.services.survey import links, questions
from tests.factories import make_oita
from tests.participant_data import add_participants, make_municipalities

SECRET = "test"


def survey_world(count: int, held_today: bool = True):
    """大分県's common training with `count` participants in 3 groups, its questions and links;
    returns (world, {participant id: token})."""
    world = make_oita()
    training = db.session.get(Training, world.trainings["common"])
    if held_today:
        training.first_date = today_in_japan()  # held today: the links are open
    municipalities = make_municipalities(world.prefecture)
    add_participants(training, municipalities, count, groups=3)
    questions.ensure_questions(training)
    made = links.ensure_participant_links(training, SECRET)
    return world, {pid: links.token_of(link, SECRET) for pid, link in made.items()}


def form_for(question_rows, values: dict[str, object]) -> dict[str, object]:
    """A POST body: `values` by aspect+subject letter ("understanding:A") or aspect."""
    data = {}
    for q in question_rows:
        key = f"{q.aspect}:{q.subject.letter}" if q.subject is not None else q.aspect
        if key in values and values[key] is not None:
            data[f"q{q.id}"] = values[key]
    return data


def token_in(url: str) -> str:
    return re.search(r"/s/([^/?#]+)", url).group(1)
