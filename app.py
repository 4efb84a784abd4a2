"""伝達研修プランナー: the application factory and its configuration."""
import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask

BASE_DIR = Path(__file__).resolve().parent


class Config:
    """Settings read from the environment; defaults give a working SQLite install."""

    #: from the environment; without it, a random key kept in instance/secret_key (see below)
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'planner.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    #: hours a login lasts (the cookie and the server both refuse it afterwards)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=float(os.environ.get("PERMANENT_SESSION_LIFETIME", "12")))
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    #: the largest file a training's material may be (its upload requests may be this large)
    MATERIAL_MAX_BYTES = int(os.environ.get("MATERIAL_MAX_BYTES", str(20 * 1024 * 1024)))
    WTF_CSRF_TIME_LIMIT = None
    #: the domain part of calendar UIDs, after this installation's random id (see below)
    CALENDAR_HOST = os.environ.get("CALENDAR_HOST", "planner.example.jp")
    #: outgoing mail (the usual Flask names); without MAIL_SERVER, mail goes to MAIL_OUTBOX_DIR
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 0) or None
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "伝達研修プランナー <no-reply@planner.example.jp>")
    #: the file outbox; default instance/outbox
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR")
    #: build Word, Excel, calendar and zip downloads in a child process per request, so the server's
    #: memory comes back afterwards (planner/web/isolated.py); 0 builds them in the server process
    EXPORTS_IN_CHILD = os.environ.get("EXPORTS_IN_CHILD", "1") == "1"


def create_app(config: dict | None = None) -> Flask:
    """Create the app; `config` overrides the environment (tests pass their database here)."""
    app = Flask(__name__, instance_path=str(BASE_DIR / "instance"))
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    if not app.config["MAIL_OUTBOX_DIR"]:
        app.config["MAIL_OUTBOX_DIR"] = str(Path(app.instance_path) / "outbox")
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    # Calendar UIDs must be unique worldwide and never change: a random id made once per
    # installation (instance/installation_id) beats a host name that may change.
    installation = _instance_secret(Path(app.instance_path) / "installation_id",
                                    make=lambda: secrets.token_hex(8))
    app.config.setdefault("CALENDAR_UID_HOST", f"{installation}.{app.config['CALENDAR_HOST']}")

    from planner.cli import register_cli
    register_cli(app, lambda layers: _load_layers(app, layers), ALL_LAYERS)
    if not _finding_a_cli_command():
        _load_layers(app, _serving_layers())
    return app


#: what an unknown command (`flask db ...`) needs; planner.cli.COMMANDS says what each of ours needs
ALL_LAYERS = ("db", "tables", "migrations", "web")


def _serving_layers() -> tuple[str, ...]:
    """The layers of a server, a shell or a test: Flask-Migrate (with Alembic, about 10 MiB and a
    second of start-up) only in a process that has imported it already to migrate, since a
    server never migrates (`flask db`, init-db and tests calling upgrade() have it)."""
    import sys
    return ALL_LAYERS if "flask_migrate" in sys.modules else ("db", "tables", "web")


def _finding_a_cli_command() -> bool:
    """True while `flask --app app COMMAND` loads the app only to look up one of its own
    commands: the command then loads the layers it needs (`curricula` none, `plans` the
    database), so it starts without the web layer. `flask run`, `shell`, `routes` and `db`
    load the app from inside their own command, and get every layer."""
    import click
    from flask.cli import FlaskGroup
    ctx = click.get_current_context(silent=True)
    return ctx is not None and isinstance(ctx.command, FlaskGroup)


def _load_layers(app: Flask, layers) -> None:
    """Bind the database, every table, the migrations and the web layer to `app`, each once, in
    that order. "db" alone: only the tables the command imports itself (a command that reads)."""
    loaded = app.extensions.setdefault("planner.layers", set())
    wanted = set(layers)
    if "web" in wanted or "migrations" in wanted:
        wanted.add("tables")
    if "tables" in wanted:
        wanted.add("db")
    for layer in ALL_LAYERS:
        if layer in wanted and layer not in loaded:
            loaded.add(layer)
            LAYERS[layer](app)


def _bind_database(app: Flask) -> None:
    from planner.models.db import db
    db.init_app(app)


def _register_tables(app: Flask) -> None:
    from planner import models
    models.load_all()


def _bind_migrations(app: Flask) -> None:
    # Alembic is imported here, not with the models: only init-db and `flask db` use it
    from flask_migrate import Migrate

    from planner.models.db import db
    Migrate(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)


def _fewer_malloc_arenas() -> None:
    """glibc gives each thread that allocates its own heap (arena; up to 8 per CPU), where freed
    memory stays: a server's 16 threads kept about 10 MiB more than two arenas do, and under the
    GIL two are as fast (bench/bench_memory.py). Same as MALLOC_ARENA_MAX=2; no-op off glibc."""
    import ctypes
    try:
        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def _bind_web(app: Flask) -> None:
    _fewer_malloc_arenas()
    from planner.web.routing import SharedBuilderRule
    app.url_rule_class = SharedBuilderRule
    from planner.web.extensions import csrf, login_manager
    csrf.init_app(app)
    login_manager.init_app(app)

    from planner.web import numbers
    numbers.register(app)  # before the blueprints: their `int` routes use the bounded converter
    from planner.web import holders, refused
    refused.register(app)
    holders.register(app)
    from planner.web import (
        apply,
        auth,
        exports,
        groups,
        mail,
        meetings,
        participant_files,
        participants,
        plans,
        settings,
        supplements,
        team,
        timeline,
        trainings,
        versions,
    )
    for blueprint in (auth.bp, plans.bp, trainings.bp, team.bp, timeline.bp, supplements.bp, exports.bp,
                      settings.bp, mail.bp, versions.bp, meetings.bp, participants.bp, apply.bp, groups.bp,
                      participant_files.bp):
        app.register_blueprint(blueprint)
    from planner.web import survey
    app.register_blueprint(survey.bp)
    from planner.web import materials
    app.register_blueprint(materials.bp)
    from planner.web import bulk, confirm
    app.register_blueprint(bulk.bp)
    confirm.register(app)
    from planner.web import passwords
    app.register_blueprint(passwords.bp)
    from planner.web import editions
    app.register_blueprint(editions.bp)
    app.request_class = materials.UploadRequest
    app.after_request(mail.send_committed)

    from planner.web.filters import register_filters
    register_filters(app)
    from planner.web.errors import register_error_pages
    register_error_pages(app)
    from planner.web import once
    once.register(app)
    app.after_request(_security_headers)


LAYERS = {"db": _bind_database, "tables": _register_tables, "migrations": _bind_migrations, "web": _bind_web}


def _instance_secret(path: Path, make: Callable[[], str] = lambda: secrets.token_urlsafe(48)) -> str:
    """A random key made once per install, so a server started without SECRET_KEY never
    signs sessions with a key anyone could read in this repository."""
    if not path.exists():
        # Written aside, then linked into place: several workers starting at once agree on one key.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _security_headers(response):
    """Everything the pages use is served by the app itself, so the policy can be strict."""
    response.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
