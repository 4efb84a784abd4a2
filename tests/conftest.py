"""Shared fixtures, in the style of the Flask tutorial (flaskr).

Each test gets its own database with every table and no rows: a copy of a template SQLite
file made once per pytest process, or, when TEST_DATABASE_URL is set (for example
postgresql+psycopg://postgres@127.0.0.1:5432/test), the process's own PostgreSQL schema in
that database, emptied before each test and dropped at the end (tests/databases.py). Tests
never see each other's rows, xdist workers (`-n auto`) never share a database, and a
crashed run leaves nothing in the public schema.
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from jinja2 import BytecodeCache

# A cheap password hash for the users tests make (planner.models.account.hash_password); the
# servers tests start inherit it. Production keeps scrypt (tests/test_security.py checks).
os.environ.setdefault("PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")

from app import create_app  # noqa: E402
from planner.models.db import db
from tests import hypothesis_profiles  # noqa: F401  (loads the profile HYPOTHESIS_PROFILE names)
from tests.databases import SchemaSource, fresh_database
from tests.smtp import SmtpServer
from tests.system import require, require_fonts

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: how long a browser test waits for a page, a download or an expect(): long, because CI runs both
#: engines' suites at once on two cores, where a live server's .zip took over 15 s (seen); a test
#: that passes never waits this long
BROWSER_TIMEOUT_MS = 60_000


class TemplateCache(BytecodeCache):
    """Compiled templates kept in this process's memory and shared by every app a test makes:
    each test's app has a new Jinja environment, which would otherwise parse and compile each
    template it renders again (a fifth of a typical web test's time). Jinja keys the code by
    template and source checksum, so a changed template is compiled anew."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": TemplateCache()}


#: the engines of the last few databases, by URL and options (see _kept_engine)
_engines: OrderedDict[str, object] = OrderedDict()
KEPT_ENGINES = 4
_make_engine = SQLAlchemy._make_engine


def _kept_engine(self, bind_key, options, app):
    """The engine for this URL and these options that an earlier test's app made, if any: one
    engine per database for the whole process, as a production process keeps one. Its cache of
    compiled SQL then outlives each test, where a new engine per test compiled every statement
    anew (measured: a third of a PostgreSQL test's CPU). Each test's app disposes of the pool
    when it ends (_make_app), so no connection outlives its test."""
    key = repr(sorted((name, str(value)) for name, value in options.items()))
    if key in _engines:
        _engines.move_to_end(key)
        return _engines[key]
    engine = _engines[key] = _make_engine(self, bind_key, options, app)
    if len(_engines) > KEPT_ENGINES:
        _engines.popitem(last=False)[1].dispose()
    return engine


SQLAlchemy._make_engine = _kept_engine


# --------------------------------------------------------------------------- database

@pytest.fixture(scope="session")
def memory_folder(tmp_path_factory):
    """This process's folder for SQLite files, in memory (/dev/shm) where Linux offers it: a
    test's commits then wait for no disk flush. Removed at the end of the run."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path_factory.mktemp("databases")
        return
    folder = Path(tempfile.mkdtemp(prefix="planner-tests-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def schema_source(memory_folder):
    """This process's source of databases with the tables (built once, not once per test)."""
    source = SchemaSource(memory_folder, os.environ.get("TEST_DATABASE_URL"))
    try:
        yield source
    finally:
        source.close()


@pytest.fixture
def database_url(schema_source, memory_folder):
    """A database with every table and no rows that only this test uses (SQLite file, or
    PostgreSQL schema); the `app` fixture's database. The SQLite file has the same name in every
    test (a new file each time), so that its engine is kept (_kept_engine)."""
    path = memory_folder / "test.sqlite"
    yield schema_source.empty(path)
    _remove_sqlite(path)


_database_numbers = itertools.count(1)


def _remove_sqlite(path: Path) -> None:
    """A SQLite file with its write-ahead log and lock files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture
def empty_database_url(tmp_path):
    """A database without any table (for migrations), dropped afterwards."""
    with fresh_database(tmp_path / "empty.sqlite") as url:
        yield url


@contextmanager
def _make_app(url: str, create: bool = True, **overrides):
    """The app on `url`; with `create`, its tables are made now and dropped afterwards
    (the `database_url` fixture's database has them already)."""
    outbox = tempfile.mkdtemp(prefix="outbox-")  # never the repository's instance/outbox
    config = {
        "MAIL_OUTBOX_DIR": outbox,
        "MAIL_SERVER": "",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test",
        "SERVER_NAME": None,
        # downloads built in this process: quick, and what the tests inspect (test_isolated.py
        # and the live servers cover the child processes of production)
        "EXPORTS_IN_CHILD": False,
    }
    config.update(overrides)
    app = create_app(config)
    if create:
        with app.app_context():
            db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            if create:
                db.drop_all()
            db.engine.dispose()
        shutil.rmtree(outbox, ignore_errors=True)


@pytest.fixture
def app(database_url):
    """The app on an empty schema, CSRF off (tests post forms directly)."""
    with _make_app(database_url, create=False) as application:
        yield application


@pytest.fixture
def csrf_app(database_url):
    """The same app with CSRF protection on, as in production (for security tests)."""
    with _make_app(database_url, create=False, WTF_CSRF_ENABLED=True) as application:
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


#: the fixtures through which a test reaches the engine under test (TEST_DATABASE_URL)
DATABASE_FIXTURES = {"database_url", "empty_database_url", "schema_source"}


def pytest_collection_modifyitems(config, items):
    """With ONLY_DATABASE_TESTS=1, leave out the tests that open no database of the engine under
    test (pure code, files, and the demo server, which is always SQLite): their answer is the
    same on either engine. .ci/run sets it for its PostgreSQL run, while its SQLite run, at the
    same time, runs every test."""
    if os.environ.get("ONLY_DATABASE_TESTS") != "1":
        return
    kept, engine_free = [], []
    for item in items:
        (kept if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) else engine_free).append(item)
    if engine_free:
        config.hook.pytest_deselected(items=engine_free)
        items[:] = kept


# --------------------------------------------------------------------------- live server

def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(app, database_url, tmp_path):
    """The real app under waitress in its own process, on the `app` fixture's database.

    Yields the base URL (http://127.0.0.1:PORT, no trailing slash). The server runs the
    production configuration (CSRF on, secret from the environment); rows that a test
    commits through `app` are visible to it and the other way round.
    """
    with serve(database_url, tmp_path / "waitress.log") as base_url:
        yield base_url


@contextmanager
def serve(database_url: str, log_path: Path, env_overrides: dict | None = None):
    """Run the app under waitress on `database_url` (SECRET_KEY test-live-server); yields its URL.
    `env_overrides` changes the server's environment (e.g. MAIL_SERVER for a real SMTP server)."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-live-server",
        "SESSION_COOKIE_SECURE": "0",
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": str(log_path.parent / "outbox"),
        "PYTHONUNBUFFERED": "1",
        **(env_overrides or {}),
    }
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=16",
             "--call", "app:create_app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60  # a loaded CI machine (see BROWSER_TIMEOUT_MS)
        while True:
            if proc.poll() is not None:
                pytest.fail(f"waitress exited with {proc.returncode}:\n"
                            + log_path.read_text(errors="replace"), pytrace=False)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("waitress did not answer within 60 s:\n"
                                + log_path.read_text(errors="replace"), pytrace=False)
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def demo_template(memory_folder) -> Path:
    """The demo data (planner.services.demo: みどり県) in a SQLite file, built once per pytest
    process; each module's demo_server serves a copy of it."""
    from planner.services.demo import load_demo

    path = memory_folder / "demo-template.sqlite"
    with _make_app(f"sqlite:///{path}", create=False) as application, application.app_context():
        db.create_all()
        load_demo()
    return path


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, memory_folder, demo_template):
    """The demo data served under waitress, once per test module, from a copy of demo_template.

    Yields (base_url, app): the app shares the server's SQLite file, so a test can read ids
    or commit rows inside `app.app_context()`. Tests of one module share the data.
    """
    folder = tmp_path_factory.mktemp("demo")
    path = memory_folder / f"demo-{next(_database_numbers)}.sqlite"
    shutil.copyfile(demo_template, path)
    url = f"sqlite:///{path}"
    try:
        with _make_app(url, create=False) as application, serve(url, folder / "waitress.log") as base_url:
            yield base_url, application
    finally:
        _remove_sqlite(path)


# --------------------------------------------------------------------------- browser

@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item, so fixtures can see a failed test."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ at the repository root (gitignored): screenshots, exported files."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download needed), one per pytest
    process (xdist worker): each test still gets its own context (cookies) from browser_page.

    While it is open, Playwright's sync API keeps an asyncio loop marked as running in the
    main thread, so a test that needs asyncio.run() must run it in a thread of its own
    (aiosmtpd, tests/smtp.py, already runs its loop in a thread).
    """
    executable = require("chromium", "browser tests use Debian's Chromium")
    require_fonts("screenshots of Japanese pages need Noto CJK fonts")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_page(browser, artifacts, request):
    """A fresh page (own cookies) in Japanese locale; on failure a screenshot is kept."""
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid)
            try:
                page.screenshot(path=str(artifacts / f"FAILED-{name}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - the test's own failure matters more
                pass
        context.close()


# --------------------------------------------------------------------------- mail

@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) in this process; what it receives is read back with email."""
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
