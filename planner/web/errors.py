"""Error pages in Japanese, inside the site's layout (Werkzeug's own are English, lang="en")."""
from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("リクエストを処理できません", "画面を再読み込みしてから、もう一度操作してください。"),
    403: ("この操作はできません", "この画面は担当職員だけが使えます。必要なら担当職員に依頼してください。"),
    404: ("ページが見つかりません", "URLが正しいか、計画が削除されていないかを確かめてください。"),
    405: ("この操作はできません", "画面のボタンから操作してください。"),
    413: ("ファイルが大きすぎます", "2MBまでのファイルを選んでください。"),
}


def _error_page(exc: HTTPException):
    title, advice = MESSAGES.get(exc.code, (exc.name, exc.description))
    return render_template("errors/error.html", code=exc.code, title=title, advice=advice), exc.code


def register_error_pages(app: Flask) -> None:
    """Render the errors users meet by following links or old bookmarks."""
    for code in MESSAGES:
        app.register_error_handler(code, _error_page)
