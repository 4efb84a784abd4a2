"""URL builders compiled once per process (planner.web.routing) build the same URLs as Werkzeug's own."""
from flask import Flask, url_for

from planner.web.routing import SharedBuilderRule


def _app(shared: bool) -> Flask:
    app = Flask(__name__)
    if shared:
        app.url_rule_class = SharedBuilderRule
    app.add_url_rule("/plans/<int:plan_id>/page/<int:page>", "paged", lambda **kw: "")
    app.add_url_rule("/plans/<int:plan_id>", "first_page", lambda **kw: "", defaults={"page": 1})
    app.add_url_rule("/plans/<int:plan_id>/page/<int:page>", "same_text", lambda **kw: "")
    app.add_url_rule("/files/<path:name>", "file", lambda **kw: "")
    return app


def _urls(app: Flask) -> list[str]:
    with app.test_request_context():
        return [url_for("paged", plan_id=3, page=2), url_for("paged", plan_id=3, page=2, q="あ b"),
                url_for("first_page", plan_id=3), url_for("first_page", plan_id=3, page=1),
                url_for("same_text", plan_id=4, page=5, sort="name"),
                url_for("file", name="研修 次第/1.docx")]


def test_shared_builders_build_what_werkzeug_builds_in_every_app():
    expected = _urls(_app(shared=False))
    assert expected[2] == "/plans/3" and "q=%E3%81%82+b" in expected[1]
    first, second = _app(shared=True), _app(shared=True)
    assert _urls(first) == expected
    assert _urls(second) == expected


def test_the_planner_app_compiles_each_builder_once(app):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "plans.index")
    assert isinstance(rule, SharedBuilderRule)
    key_count = len(SharedBuilderRule._builders)
    from app import create_app
    create_app({**app.config})
    assert len(SharedBuilderRule._builders) == key_count
