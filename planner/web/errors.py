"""Error pages in Japanese, inside the site's layout (Werkzeug's own are English, lang="en").

Every request ends in one of them: HTTP errors raised by views, a database that cannot be
reached (503), a write that lost a race to another request (409), and anything unexpected
(500, logged with its traceback).
"""
from flask import Flask, current_app, g, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from planner.services.errors import DatabaseDown, RaceLost, connection_lost, forget_transaction

MESSAGES = {
    400: ("リクエストを処理できません", "画面を再読み込みしてから、もう一度操作してください。"),
    403: ("この操作はできません", "この画面は担当職員だけが使えます。必要なら担当職員に依頼してください。"),
    404: ("ページが見つかりません", "URLが正しいか、計画が削除されていないかを確かめてください。"),
    405: ("この操作はできません", "画面のボタンから操作してください。"),
    409: ("ほかの操作と重なりました", "同じ内容がほぼ同時に保存されたため、この操作は保存しませんでした。"
          "画面を再読み込みして、結果を確かめてください。"),
    413: ("ファイルが大きすぎます", "名簿は2MBまで、計画ファイルは64MBまで、研修の資料は資料の画面に書かれた大きさまでのファイルを選んでください。"),
    500: ("エラーが発生しました", "操作は完了していない可能性があります。画面を再読み込みして確かめ、"
          "続くときは担当職員（システム管理者）に日時と操作を伝えてください。"),
    503: ("ただいま利用できません", "データベースに接続できないか、混み合っています。しばらく待ってから、"
          "もう一度操作してください。変更は保存されていません。"),
}


def _page(code: int):
    title, advice = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title, advice=advice), code


def _error_page(exc: HTTPException):
    if exc.code in MESSAGES:
        return _page(exc.code)
    return render_template("errors/error.html", code=exc.code, title=exc.name, advice=exc.description), exc.code


def _race_lost(exc: RaceLost):
    """A unique key or foreign key refused a write: another request changed the same rows."""
    forget_transaction()
    current_app.logger.warning("write refused by the database: %s", exc.orig)
    return _page(409)


def _database_down(exc: DatabaseDown):
    """The database cannot be reached (or stays locked): the page is drawn without the user,
    whose row cannot be read."""
    forget_transaction()
    current_app.logger.error("database unavailable: %s", exc.orig)
    g._login_user = current_app.login_manager.anonymous_user()
    body, code = _page(503)
    return body, code, {"Retry-After": "30"}


def _unexpected(exc: InternalServerError):
    """Anything else; Flask has already logged the traceback."""
    forget_transaction()
    original = getattr(exc, "original_exception", None)
    if connection_lost(original):
        return _database_down(original)
    try:
        return _page(500)
    except Exception:  # noqa: BLE001 - the layout itself failed: fall back to plain Japanese
        current_app.logger.exception("the error page could not be drawn")
        g._login_user = current_app.login_manager.anonymous_user()
        return _page(500)


def register_error_pages(app: Flask) -> None:
    """Render every error in Japanese in the layout."""
    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, _error_page)
    app.register_error_handler(RaceLost, _race_lost)
    app.register_error_handler(DatabaseDown, _database_down)
    app.register_error_handler(InternalServerError, _unexpected)
