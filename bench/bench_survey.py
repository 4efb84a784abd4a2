"""Time to build a training's survey results for 200 answers, as a ratio to a bare loop.

200 responses to the common training's generated survey (22 questions: 13 on a 5-point
scale) are stored through the service (links marked used, comments through the anonymity
check) in a SQLite file. Then, each ROUNDS times, median reported:

1. ours: planner.services.survey.results.results(training) — the questions, one query for the
   answers, the aggregation (planner.domain.survey.summarise), the response rate per
   municipality and the comments, as the results page, the report and the CLI use them;
2. floor: a bare loop doing the same aggregation (count, sum, distribution per scale question,
   counts per choice, texts) over the same rows fetched with one plain SQL query, in the same
   run and process.

The ratio ours / floor is what to keep an eye on (the machine's speed cancels out).

Usage: .venv/bin/python bench/bench_survey.py [ROUNDS]
"""
from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ANSWERS = 200


def _setup(app):
    from planner.models import Training
    from planner.models.db import db
    from planner.services.participants.entries import today_in_japan
    from planner.services.survey import answers, links, questions
    from tests.factories import make_oita
    from tests.participant_data import add_participants, many_municipalities

    world = make_oita()
    training = db.session.get(Training, world.trainings["common"])
    training.first_date = today_in_japan()
    add_participants(training, many_municipalities(world.prefecture, 40), ANSWERS)
    rows = questions.ensure_questions(training)
    rng = random.Random(1)
    comments = ["演習の時間がもっと欲しい。", "事例が具体的で分かりやすかった。", ""]
    for link in links.ensure_participant_links(training, "bench").values():
        form = {}
        for q in rows:
            if q.kind == "scale":
                form[f"q{q.id}"] = [str(rng.randint(1, 5))]
            elif q.kind == "single":
                form[f"q{q.id}"] = [rng.choice(q.choice_list)]
            elif q.kind == "multiple":
                form[f"q{q.id}"] = rng.sample(q.choice_list, 2)
            elif q.aspect == "free":
                form[f"q{q.id}"] = [rng.choice(comments)]
        answers.submit(link, form, today_in_japan())
    return training.id


def _floor(training_id: int) -> dict:
    """The same aggregation as a bare loop over one plain query's rows."""
    import sqlalchemy as sa

    from planner.models.db import db
    kinds = dict(iter(db.session.execute(sa.text("SELECT id, kind FROM survey_question WHERE training_id = :t"),
                                         {"t": training_id})))
    rows = db.session.execute(sa.text(
        "SELECT a.question_id, a.number, a.text FROM survey_answer a JOIN survey_response r ON r.id = a.response_id "
        "WHERE r.training_id = :t"), {"t": training_id})
    out: dict[int, dict] = {q: {"count": 0, "total": 0, "dist": [0] * 6, "choices": {}} for q in kinds}
    for question_id, number, text in rows:
        s = out[question_id]
        kind = kinds[question_id]
        if kind == "scale":
            s["dist"][number] += 1
            s["total"] += number
        elif kind == "text":
            if not text:
                continue
        else:
            for choice in text.split("\n"):
                s["choices"][choice] = s["choices"].get(choice, 0) + 1
        s["count"] += 1
    return out


def main(rounds: int = 20) -> None:
    from app import create_app
    from planner.models import Training
    from planner.models.db import db
    from planner.services.survey.results import results

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(tmp) / 'bench.sqlite'}",
                          "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            training_id = _setup(app)
            print(f"stored {ANSWERS} answers through the service in {time.perf_counter() - started:.1f} s")
            ours, floor = [], []
            for _ in range(rounds):
                db.session.expire_all()
                t0 = time.perf_counter()
                data = results(db.session.get(Training, training_id))
                ours.append(time.perf_counter() - t0)
                db.session.expire_all()
                t0 = time.perf_counter()
                bare = _floor(training_id)
                floor.append(time.perf_counter() - t0)
            first = data.summaries[0]
            assert first.count == sum(bare[first.question.id]["dist"]) == ANSWERS  # both counted the same
            db.session.remove()
            db.engine.dispose()
    ours_ms, floor_ms = statistics.median(ours) * 1000, statistics.median(floor) * 1000
    print(f"results for {ANSWERS} answers: {ours_ms:.1f} ms (median of {rounds})")
    print(f"bare loop, same aggregation: {floor_ms:.1f} ms")
    print(f"ratio ours / floor: {ours_ms / floor_ms:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
