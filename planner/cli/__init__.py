"""Command-line commands: `flask --app app curricula|schedule|init-db|demo|plans|...`, one
module per command group, with shared helpers in `common`."""
from __future__ import annotations

from flask import Flask

from planner.cli.anonymity import check_anonymity_command
from planner.cli.curricula import curricula_command, schedule_command
from planner.cli.export import export_command
from planner.cli.mail import send_mail_command
from planner.cli.municipalities import municipalities_command
from planner.cli.plans import (
    demo_command,
    export_plan_command,
    import_plan_command,
    init_db_command,
    plans_command,
)
from planner.cli.retention import purge_participants_command
from planner.cli.setup import create_official_command, create_prefecture_command
from planner.cli.timeline import timeline_command
from planner.cli.survey import survey_results_command


def register_cli(app: Flask) -> None:
    """Add every command to `flask --app app`."""
    for command in (curricula_command, schedule_command, init_db_command, demo_command,
                    plans_command, export_plan_command, import_plan_command, timeline_command,
                    export_command, send_mail_command, municipalities_command, check_anonymity_command):
        app.cli.add_command(command)
    app.cli.add_command(purge_participants_command)
    app.cli.add_command(create_prefecture_command)
    app.cli.add_command(create_official_command)
    app.cli.add_command(survey_results_command)
