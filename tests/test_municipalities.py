"""Municipalities: the national code list and its kinds, loading a prefecture's list, the
official's page, and the CLI."""
from __future__ import annotations

import csv
import tomllib

import pytest

from planner.domain.municipalities import (
    DATA,
    check_digit,
    demo_list,
    municipalities_of,
    national_list,
    prefecture_names,
    valid_code,
)
from planner.domain.participants import ParticipantEntry
from planner.models import Municipality, Prefecture, Training
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.participants import entries as participants
from planner.services.participants import municipalities as service
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita, make_prefecture, make_user

# --------------------------------------------------------------------------- the data

def test_check_digit_follows_the_official_rule_on_known_codes():
    # 大分市 442011, 札幌市 011002, 苫小牧市 012131 (sum divisible by 11: digit 1), 千代田区 131016
    assert [check_digit(c[:5]) for c in ("442011", "011002", "012131", "131016")] == [1, 2, 1, 6]
    assert valid_code("442011") and not valid_code("442012") and not valid_code("44201")
    assert not valid_code("４４２０１１")  # full-width digits are not a code


def test_the_national_list_is_complete_and_every_code_is_valid():
    rows = national_list()
    assert len(rows) == 1741  # 1718 市町村 + 23 特別区 (総務省); the 北方領土 villages are left out
    assert len(prefecture_names()) == 47
    assert all(valid_code(r.code) for r in rows)
    assert len({r.code for r in rows}) == len(rows)
    oita = municipalities_of("大分県")
    assert len(oita) == 18
    assert [(r.name, r.kind) for r in oita[:2]] == [("大分市", "core_city"), ("別府市", "city")]
    assert {r.kind for r in oita if r.name in ("姫島村", "日出町")} == {"village", "town"}
    # a 2018 change: 那珂川町 became 那珂川市 (福岡県)
    assert [r.name for r in municipalities_of("福岡県") if r.code == "402311"] == ["那珂川市"]
    assert municipalities_of("どこか県") == []


def test_designated_and_core_city_lists_name_real_cities_of_the_code_list():
    with (DATA / "municipality_kinds.toml").open("rb") as f:
        kinds = tomllib.load(f)
    names = {r.code: r.name for r in national_list()}
    assert len(kinds["designated_city"]) == 20 and len(kinds["core_city"]) == 62
    for codes in kinds.values():
        assert all(names[code].endswith("市") for code in codes)
    by_kind = {}
    for row in national_list():
        by_kind[row.kind] = by_kind.get(row.kind, 0) + 1
    assert by_kind["designated_city"] == 20 and by_kind["core_city"] == 62


def test_the_demo_list_is_fictitious_with_valid_check_digits():
    rows = demo_list()
    assert {r.prefecture for r in rows} == {"みどり県"}
    assert all(valid_code(r.code) and r.code.startswith("99") for r in rows)
    assert not {r.code for r in rows} & {r.code for r in national_list()}
    with (DATA / "municipalities_demo.csv").open(encoding="utf-8") as f:
        kinds = {row["kind"] for row in csv.DictReader(line for line in f if not line.startswith("#"))}
    assert kinds == {"designated_city", "core_city", "city", "town", "village"}


# --------------------------------------------------------------------------- loading

def test_loading_adds_updates_keeps_contacts_and_reports_what_the_list_lacks(app):
    with app.app_context():
        oita = make_prefecture("大分県")
        db.session.add_all([
            Municipality(prefecture_id=oita.id, code="442011", name="大分市", kind="city",
                         contact_name="福祉課 佐藤", contact_email="sato@city.oita.example.jp"),
            Municipality(prefecture_id=oita.id, code="442984", name="合併した町", kind="town")])
        db.session.commit()
        result = service.load_list(oita, municipalities_of("大分県"))
        assert (len(result.added), result.updated, result.not_in_list) == (17, ["大分市"], ["合併した町"])
        oita_city = db.session.scalar(db.select(Municipality).filter_by(code="442011"))
        assert (oita_city.kind, oita_city.contact_name) == ("core_city", "福祉課 佐藤")
        again = service.load_list(oita, municipalities_of("大分県"))
        assert (again.added, again.updated) == ([], [])
        with pytest.raises(ChangeRefused):
            service.load_list(oita, municipalities_of("どこか県"))


def test_a_municipality_that_sent_someone_cannot_be_removed(app):
    with app.app_context():
        world = make_oita()
        oita = db.session.get(Prefecture, world.prefecture)
        service.load_list(oita, municipalities_of("大分県"))
        beppu = db.session.scalar(db.select(Municipality).filter_by(name="別府市"))
        participants.add_entries(db.session.get(Training, world.trainings["common"]), beppu,
                                 [ParticipantEntry("別府 一郎")], "official")
        with pytest.raises(ChangeRefused) as refused:
            service.remove_municipality(beppu)
        assert refused.value.messages[0].startswith("別府市には受講者が1名登録されているため削除できません。")
        usuki = db.session.scalar(db.select(Municipality).filter_by(name="臼杵市"))
        service.remove_municipality(usuki)
        assert db.session.scalar(db.select(Municipality).filter_by(name="臼杵市")) is None


# --------------------------------------------------------------------------- the page

def test_the_official_loads_adds_and_edits_municipalities(app, client):
    with app.app_context():
        make_oita()
    login(client, OITA_OFFICIAL)
    assert "全国の一覧から読み込む" in client.get("/municipalities").get_data(as_text=True)
    response = client.post("/municipalities/load", follow_redirects=True)
    assert "市町村の一覧を読み込みました（追加 18、更新 0）。" in response.get_data(as_text=True)
    bad = client.post("/municipalities", data={"code": "442012", "name": "架空町", "kind": "town",
                                               "contact_name": "", "contact_email": ""})
    assert bad.status_code == 422
    assert "「442012」は全国地方公共団体コード（検査数字つき6桁）ではありません。" in bad.get_data(as_text=True)
    taken = client.post("/municipalities", data={"code": "442011", "name": "架空町", "kind": "town"})
    assert "442011 はすでに大分市のコードです。" in taken.get_data(as_text=True)
    with app.app_context():
        beppu = db.session.scalar(db.select(Municipality).filter_by(name="別府市")).id
    response = client.post(f"/municipalities/{beppu}/edit", data={
        "code": "442020", "name": "別府市", "kind": "city", "contact_name": "福祉政策課 田中",
        "contact_email": "Tanaka@City.Beppu.example.jp"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Municipality, beppu)
        assert (row.contact_name, row.contact_email) == ("福祉政策課 田中", "tanaka@city.beppu.example.jp")


def test_municipalities_are_the_officials_and_their_own_prefectures(app, client):
    with app.app_context():
        make_oita()
        other = make_prefecture("みどり県")
        make_user(other, "official@midori.example.jp")
        service.load_list(other, municipalities_of("みどり県"))
        foreign = db.session.scalar(db.select(Municipality).filter_by(name="あおば市")).id
    login(client, OITA_OFFICIAL)
    assert client.get(f"/municipalities/{foreign}/edit").status_code == 404
    assert client.post(f"/municipalities/{foreign}/delete").status_code == 404
    client.post("/logout")
    login(client, OITA_MEMBER)
    assert client.get("/municipalities").status_code == 403


def test_cli_loads_and_lists_a_prefecture(app, runner):
    with app.app_context():
        make_prefecture("大分県")
    result = runner.invoke(args=["municipalities", "大分県", "--load"])
    assert result.exit_code == 0, result.output
    assert "読み込みました: 追加 18、更新 0。" in result.output
    assert "442011  中核市\t大分市" in result.output
    missing = runner.invoke(args=["municipalities", "どこか県"])
    assert missing.exit_code == 2 and "都道府県「どこか県」はありません" in missing.output
