"""Smoke tests: the factory, the configuration, the schema, the real server and the browser."""
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from planner.models.db import db

ROOT = Path(__file__).resolve().parent.parent


def test_factory_testing_flag(app):
    assert not create_app().testing
    assert app.testing
    assert app.config["WTF_CSRF_ENABLED"] is False


def test_csrf_app_has_csrf_on(csrf_app):
    assert csrf_app.config["WTF_CSRF_ENABLED"] is True


def _config_in_subprocess(env: dict) -> list[str]:
    """Config is read at import time, so import it in a fresh interpreter."""
    code = ("from app import Config as C; print(C.SQLALCHEMY_DATABASE_URI); "
            "print(C.SECRET_KEY); print(C.SESSION_COOKIE_SECURE)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True, timeout=60)
    return result.stdout.splitlines()


def test_config_reads_environment():
    env = {**os.environ, "DATABASE_URL": "postgresql+psycopg://u@db.example:5432/x",
           "SECRET_KEY": "s3cret", "SESSION_COOKIE_SECURE": "1"}
    assert _config_in_subprocess(env) == [
        "postgresql+psycopg://u@db.example:5432/x", "s3cret", "True"]


def test_config_defaults_to_sqlite_in_instance():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "SECRET_KEY", "SESSION_COOKIE_SECURE")}
    uri, _secret, secure = _config_in_subprocess(env)
    assert uri.startswith("sqlite:///")
    assert uri.replace("\\", "/").endswith("instance/planner.sqlite")
    assert secure == "False"


def test_schema_created_on_test_database(app):
    with app.app_context():
        expected = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
        assert db.engine.dialect.name == expected
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        assert db.metadata.tables, "planner.models registered no tables"


def test_cli_commands_registered(runner):
    result = runner.invoke(args=["--help"])
    assert result.exit_code == 0, result.output
    for command in ("init-db", "demo", "curricula", "schedule"):
        assert command in result.output


def test_live_server_answers(live_server):
    """waitress in its own process serves the app (any page; 404 is fine, 5xx is not)."""
    try:
        with urllib.request.urlopen(live_server + "/", timeout=10) as response:
            status, server = response.status, response.headers.get("Server", "")
    except urllib.error.HTTPError as error:
        status, server = error.code, error.headers.get("Server", "")
        error.close()
    assert status < 500
    assert "waitress" in server


@pytest.mark.browser
def test_browser_renders_japanese(browser_page, artifacts):
    browser_page.set_content("<html lang=ja><head><meta charset=utf-8></head>"
                             "<body><h1>日本語</h1><p>伝達研修プランナー</p></body></html>")
    shot = artifacts / "smoke.png"
    browser_page.screenshot(path=str(shot))
    assert shot.stat().st_size > 0
    assert browser_page.inner_text("h1") == "日本語"
    assert browser_page.evaluate("document.documentElement.lang") == "ja"


def test_without_secret_key_a_random_one_is_kept_in_the_instance_folder(tmp_path):
    from app import _instance_secret

    first = _instance_secret(tmp_path / "secret_key")
    second = _instance_secret(tmp_path / "secret_key")

    assert first == second and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [tmp_path / "secret_key"]
