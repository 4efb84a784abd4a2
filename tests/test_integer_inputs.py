"""Every integer a person or a file can send has a range: out of range is a 404 (URLs) or a
Japanese 4xx (forms, JSON), a non-zero exit without traceback (CLI); never a 5xx."""
from __future__ import annotations

import io
import json
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import IntegerField, SelectField

from planner.services.demo import DEMO_PASSWORD
from planner.web.forms import Form
from tests.demo_copy import flask_demo
from tests.factories import login, make_plan, make_prefecture, make_user
from tests.forms_on_pages import PageForm, forms_on
from tests.hypothesis_profiles import examples
from tests.test_every_form import OFFICIAL, collect_forms, page_urls

EDGES = [0, -1, 1, 2**31 - 1, 2**31, 2**63, -(2**63) - 1, 10**30, -(10**30), int("9" * 40)]
INTEGERS = st.one_of(st.sampled_from(EDGES), st.integers(min_value=-(10**31), max_value=10**31))
CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _int_routes(app) -> list[tuple[str, tuple[str, ...]]]:
    """(rule, methods) of every route with an int converter."""
    return [(rule.rule, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"})))
            for rule in app.url_map.iter_rules()
            if any(type(c).__name__ == "BoundedIntConverter" for c in rule._converters.values())]


def _fill(rule: str, number: int) -> str:
    """The rule with every int parameter set to `number` and any other to a plain word."""
    return CONVERTER.sub(lambda m: str(number) if (m.group(1) or "").startswith("int") else "x", rule)


def _integer_field_names() -> set[str]:
    """Names of the integer fields of every form class (IntegerField, SelectField(coerce=int))."""
    names, todo = set(), [Form]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        for name, value in vars(cls).items():
            field_class = getattr(value, "field_class", None)
            if field_class is None:
                continue
            if issubclass(field_class, IntegerField) or (
                    issubclass(field_class, SelectField) and value.kwargs.get("coerce") is int):
                names.add(name)
    return names


@pytest.fixture
def demo_official(app):
    flask_demo(app)
    client = app.test_client()
    assert client.post("/login", data={"email": OFFICIAL, "password": DEMO_PASSWORD}).status_code == 302
    return client


def test_every_route_and_integer_field_with_random_integers_answers_below_500(app, demo_official):
    client = demo_official
    routes = _int_routes(app)
    assert len(routes) > 50  # the app's id routes, found from the URL map
    names = _integer_field_names()
    assert {"cycle_year", "capacity", "participant_retention_days"} <= names
    one_per_endpoint = {}
    for url in page_urls(app):
        one_per_endpoint.setdefault(re.sub(r"\d+", "N", url), url)
    forms, failures = collect_forms(client, list(one_per_endpoint.values()))
    assert failures == []
    targets: list[tuple[PageForm, str]] = [(f, n) for f in forms if f.method == "post"
                                           and "/logout" not in f.action and "/delete" not in f.action
                                           for n in {name for name, _ in f.values} & names]
    assert len(targets) >= 10, targets

    @settings(max_examples=examples(250), deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(route=st.sampled_from(routes), number=INTEGERS, target=st.sampled_from(targets), value=INTEGERS)
    def check(route, number, target, value):
        rule, methods = route
        url = _fill(rule, number)
        for method in methods:
            response = client.open(url, method=method)
            assert response.status_code < 500, (method, url, response.status_code)
            if abs(number) > 2**31 - 1 or number < 0:
                assert response.status_code in (404, 405), (method, url, response.status_code)
        form, name = target
        data: dict[str, list[str]] = {}
        for key, rendered in form.values:
            data.setdefault(key, []).append(str(value) if key == name else rendered)
        for key in form.files:
            data[key] = (io.BytesIO(b""), "")
        answer = client.post(urlsplit(form.action).path, data=data)
        assert answer.status_code < 500, (form.action, name, value, answer.status_code)

    check()


@pytest.mark.parametrize("url", ["/plans/99999999999999999999999", "/plans/2147483648", "/plans/-1",
                                 "/plans/" + "9" * 5000, "/trainings/2147483648/roles"])
def test_ids_no_table_holds_are_404(app, client, url):
    with app.app_context():
        make_user(make_prefecture(), "official@oita.example.jp")
    login(client, "official@oita.example.jp")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "", "cycle_year": "2026"}, "入力してください。"),
    ({"title": "あ" * 101, "cycle_year": "2026"}, "100文字以内"),
    ({"title": "令和8年度 伝達研修", "cycle_year": "1999"}, "cycle_year"),
    ({"title": "令和8年度 伝達研修", "cycle_year": "abc"}, "cycle_year"),
    ({"title": "令和8年度 伝達研修", "cycle_year": "1" + "0" * 30}, "cycle_year"),
])
def test_refused_plan_forms_answer_422(app, client, data, message):
    with app.app_context():
        make_user(make_prefecture(), "official@oita.example.jp")
    login(client, "official@oita.example.jp")
    response = client.post("/plans/new", data={**data, "venue": "", "propose_dates": "y"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_refused_login_and_password_forms_answer_4xx_naming_the_real_limit(app, client):
    with app.app_context():
        make_user(make_prefecture(), "official@oita.example.jp")
    long_address = client.post("/login", data={"email": "a" * 290 + "@example.jp", "password": "x" * 12})
    assert long_address.status_code == 422
    login(client, "official@oita.example.jp")
    from tests.factories import PASSWORD
    too_long = client.post("/account/password", data={"current": PASSWORD, "password": "p" * 201,
                                                      "confirm": "p" * 201})
    assert too_long.status_code == 422
    assert "10〜200文字で入力してください。" in too_long.get_data(as_text=True)  # the message, not the label


@pytest.mark.parametrize("field", ["version", "cycle_year"])
def test_plan_backup_with_a_5000_digit_number_is_refused_in_japanese(app, client, runner, tmp_path, field):
    with app.app_context():
        prefecture = make_prefecture()
        make_user(prefecture, "official@oita.example.jp")
        plan_id = make_plan(prefecture).id
    login(client, "official@oita.example.jp")
    good = client.get(f"/plans/{plan_id}/export.json").get_data(as_text=True)
    data = json.loads(good)
    placeholder = 424242424242
    if field == "version":
        data["version"] = placeholder
    else:
        data["plan"]["cycle_year"] = placeholder
    bad = json.dumps(data, ensure_ascii=False).replace(str(placeholder), "9" * 5000)
    response = client.post("/plans/import", data={"file": (io.BytesIO(bad.encode()), "plan.json")})
    assert response.status_code == 422 and "大きすぎる数値（5000桁）" in response.get_data(as_text=True)
    path = tmp_path / "plan.json"
    path.write_text(bad, encoding="utf-8")
    result = runner.invoke(args=["import-plan", "大分県", str(path)])
    assert result.exit_code != 0 and "Traceback" not in result.output and "大きすぎる数値" in result.output


@pytest.mark.parametrize("args", [["timeline", "99999999999999999999999"], ["export-plan", "2147483648", "-"],
                                  ["timeline", "--", "-3"], ["export", "1" + "0" * 30, "/tmp/x"],
                                  ["schedule", "common", "--days", "9" * 5000]])
def test_cli_integers_out_of_range_exit_non_zero_in_japanese(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "範囲" in result.output or "整数" in result.output
