"""伝達研修プランナー: the application factory and its configuration."""
import os
import secrets
from datetime import timedelta
from collections.abc import Callable
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

    from planner.models.db import db, migrate
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))

    from planner.web.extensions import csrf, login_manager
    csrf.init_app(app)
    login_manager.init_app(app)

    from planner import models  # noqa: F401  (registers the tables)
    from planner.cli import register_cli
    register_cli(app)

    from planner.web import numbers
    numbers.register(app)  # before the blueprints: their `int` routes use the bounded converter
    from planner.web import holders, refused
    refused.register(app)
    holders.register(app)
    from planner.web import (apply, auth, exports, groups, mail, meetings, participant_files, participants, plans,
                             settings, supplements, team, timeline, trainings, versions)
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
    return app


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
