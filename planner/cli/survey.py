"""`flask --app app survey-results TRAINING_ID [--json]`: a training's survey results, the same
numbers as the results page and the report. Held comments are left out (as for the team).

Exit codes: 0 shown, 2 no such training (or not a number).
"""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from planner.cli.common import fail
from planner.models import Training
from planner.models.db import db
from planner.services.plans.editions import curriculum_for
from planner.services.survey.results import VISIBLE, results


def _as_dict(data) -> dict:
    training = data.training
    return {
        "training_id": training.id,
        "training": curriculum_for(training).title,
        "responses": data.responses,
        "expected": data.expected,
        "answered": data.answered_links,
        "response_rate": str(data.rate) if data.rate is not None else None,
        "municipalities": [{"name": m.name, "expected": m.expected, "answered": m.answered}
                           for m in data.municipalities],
        "questions": [{
            "id": s.question.id, "kind": s.question.kind, "text": s.question.text, "count": s.count,
            **({"average": str(s.average) if s.average is not None else None,
                "distribution": {str(n): s.distribution[n] for n in (5, 4, 3, 2, 1)}} if s.question.kind == "scale" else {}),
            **({"choices": s.choice_counts} if s.question.kind in ("single", "multiple") else {}),
            **({"comments": [c.text for c in data.comments.get(s.question.id, []) if c.review in VISIBLE]}
               if s.question.kind == "text" else {}),
        } for s in data.summaries],
        "held_comments": data.held,
    }


@click.command("survey-results")
@click.argument("training_id")
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
@with_appcontext
def survey_results_command(training_id: str, as_json: bool) -> None:
    """Show TRAINING_ID's survey results: response rate, averages, distributions, comments."""
    training = db.session.get(Training, int(training_id)) if training_id.isdigit() else None
    if training is None:
        fail(f"研修 {training_id} はありません（`flask --app app plans` で研修の番号を確かめてください）。")
    data = _as_dict(results(training))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    rate = f"{data['response_rate']}%（{data['answered']}/{data['expected']}名）" if data["response_rate"] else "―"
    click.echo(f"{data['training']}　回答 {data['responses']}件　回答率 {rate}")
    for q in data["questions"]:
        if q["kind"] == "scale":
            dist = " ".join(f"{n}:{c}" for n, c in q["distribution"].items())
            click.echo(f"{q['average'] or '―'}\t{q['count']}件\t{dist}\t{q['text']}")
        elif "choices" in q:
            click.echo(f"\t{q['count']}件\t" + " ".join(f"{c}:{n}" for c, n in q["choices"].items()) + f"\t{q['text']}")
    if data["held_comments"]:
        click.echo(f"確認待ちの記述が {data['held_comments']} 件あります（画面で確認してください）。", err=True)
