"""Command-line commands: `flask --app app curricula|schedule|init-db|demo|plans|...`, one
module per command group, with shared helpers in `common`.

A command's module is imported only when that command runs (click's lazy group), and the app
binds only the layers it names here: `curricula` and `schedule` start without the database
and the web layer, the database commands without the web layer.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

import click
from flask import Flask
from flask.cli import AppGroup

#: command name -> (module, attribute, the layers of app.py it needs: "db", "tables", "migrations",
#: "web"); "db" without "tables" maps only the tables the command imports from planner.models (for
#: one that only reads: a table's cascades may live in another table's module)
COMMANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "curricula": ("planner.cli.curricula", "curricula_command", ()),
    "schedule": ("planner.cli.curricula", "schedule_command", ()),
    "check-anonymity": ("planner.cli.anonymity", "check_anonymity_command", ()),
    "init-db": ("planner.cli.plans", "init_db_command", ("tables", "migrations")),
    "demo": ("planner.cli.plans", "demo_command", ("tables",)),
    "plans": ("planner.cli.plans", "plans_command", ("db",)),
    "export-plan": ("planner.cli.plans", "export_plan_command", ("tables",)),
    "import-plan": ("planner.cli.plans", "import_plan_command", ("tables",)),
    "timeline": ("planner.cli.timeline", "timeline_command", ("tables",)),
    "export": ("planner.cli.export", "export_command", ("tables",)),
    "send-mail": ("planner.cli.mail", "send_mail_command", ("tables",)),
    "municipalities": ("planner.cli.municipalities", "municipalities_command", ("tables",)),
    "purge-participants": ("planner.cli.retention", "purge_participants_command", ("tables",)),
    "create-prefecture": ("planner.cli.setup", "create_prefecture_command", ("tables",)),
    "create-official": ("planner.cli.setup", "create_official_command", ("tables",)),
    "survey-results": ("planner.cli.survey", "survey_results_command", ("tables",)),
}


class LazyCommands(AppGroup):
    """The app's command group: a command is imported, and its layers bound, when looked up."""

    def __init__(self, name: str, load_layers: Callable[[Iterable[str]], None], all_layers: Iterable[str]):
        super().__init__(name)
        self.load_layers = load_layers
        self.all_layers = tuple(all_layers)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.load_layers(self.all_layers)  # the extensions' commands too (Flask-Migrate's `db`)
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in COMMANDS:
            module, attribute, layers = COMMANDS[name]
            self.load_layers(layers)
            if name not in self.commands:
                self.add_command(getattr(importlib.import_module(module), attribute), name)
        elif name not in self.commands:
            self.load_layers(self.all_layers)  # an extension's command, e.g. `flask db upgrade`
        return super().get_command(ctx, name)


def register_cli(app: Flask, load_layers: Callable[[Iterable[str]], None], all_layers: Iterable[str]) -> None:
    """Make `app.cli` the lazy group of every command; `load_layers(names)` binds what a
    command needs to the app (app.py), `all_layers` what any other command may need."""
    group = LazyCommands(app.cli.name, load_layers, all_layers)
    for command in app.cli.commands.values():  # any added before, kept
        group.add_command(command)
    app.cli = group
