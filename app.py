"""伝達研修プランナー: the application factory and its configuration."""
import os
import secrets
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
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None
    #: who appears as ORGANIZER and in UIDs of calendar files
    CALENDAR_HOST = os.environ.get("CALENDAR_HOST", "planner.example.jp")


def create_app(config: dict | None = None) -> Flask:
    """Create the app; `config` overrides the environment (tests pass their database here)."""
    app = Flask(__name__, instance_path=str(BASE_DIR / "instance"))
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")

    from planner.models.db import db, migrate
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))

    from planner.web.extensions import csrf, login_manager
    csrf.init_app(app)
    login_manager.init_app(app)

    from planner import models  # noqa: F401  (registers the tables)
    from planner.cli import register_cli
    register_cli(app)

    from planner.web import auth, exports, plans, supplements, team, timeline, trainings
    for blueprint in (auth.bp, plans.bp, trainings.bp, team.bp, timeline.bp, supplements.bp,
                      exports.bp):
        app.register_blueprint(blueprint)

    from planner.web.filters import register_filters
    register_filters(app)
    from planner.web.errors import register_error_pages
    register_error_pages(app)
    app.after_request(_security_headers)
    return app


def _instance_secret(path: Path) -> str:
    """A random key made once per install, so a server started without SECRET_KEY never
    signs sessions with a key anyone could read in this repository."""
    if not path.exists():
        # Written aside, then linked into place: several workers starting at once agree on one key.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
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
