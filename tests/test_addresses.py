"""Mail addresses as they are in Japan, one rule (email-validator) at every way in."""
from __future__ import annotations

import pytest

from planner.domain import addresses
from planner.domain.fields import FieldError
from planner.models import Invitation, Municipality, OutboxMessage, Plan
from planner.models.db import db
from tests.factories import login, make_plan, make_prefecture, make_user

OFFICIAL = "official@oita.example.jp"
SETTINGS = {"department": "福祉保健部 地域福祉課", "letter_sender": "大分県福祉保健部長",
            "contact_section": "地域福祉課 生活支援班", "contact_name": "県 担当者",
            "contact_phone": "097-123-4567", "participant_retention_days": 90}


@pytest.mark.parametrize(("typed", "stored", "wire"), [
    ("Taro@Usuki.Example.jp", "taro@usuki.example.jp", "taro@usuki.example.jp"),
    ("tanto@市役所.jp", "tanto@市役所.jp", "tanto@xn--7sto6a74d.jp"),
    ("ｔａｎｔｏ＠ｕｓｕｋｉ．ｅｘａｍｐｌｅ．ｊｐ", "tanto@usuki.example.jp", "tanto@usuki.example.jp"),
    ("  taro+kenshu@usuki.example.lg.jp ", "taro+kenshu@usuki.example.lg.jp", "taro+kenshu@usuki.example.lg.jp"),
])
def test_addresses_are_stored_as_typed_and_sent_in_ascii(typed, stored, wire):
    assert addresses.check_address(typed) == stored
    assert addresses.wire_address(stored) == addresses.WireAddress(wire, False)


@pytest.mark.parametrize(("typed", "message"), [
    ("担当@example.jp", "「@」より前に日本語"),
    ("usuki.example.jp", "「@」がありません"),
    ("taro@usuki", "メールアドレスとして使えません"),
    ("taro@@usuki.example.jp", "メールアドレスとして使えません"),
    ("taro @usuki.example.jp", "メールアドレスとして使えません"),
    ("a" * 250 + "@usuki.example.jp", "254文字以内"),
    ("taro@usuki.example.jp\r\nBcc: x@example.jp", "メールアドレスとして使えません"),
    ("", "入力してください"),
])
def test_bad_addresses_are_refused_in_japanese(typed, message):
    with pytest.raises(FieldError) as refused:
        addresses.check_address(typed)
    assert message in str(refused.value)


def test_non_ascii_local_part_can_still_be_sent_with_smtputf8():
    assert addresses.wire_address("担当@市役所.jp") == addresses.WireAddress("担当@市役所.jp", True)


@pytest.fixture
def official_client(app, client):
    with app.app_context():
        prefecture = make_prefecture()
        make_user(prefecture, OFFICIAL)
        make_plan(prefecture)
    login(client, OFFICIAL)
    return client


def _posts():
    """Every form with an address field: (url, data without the address, address field)."""
    return [
        ("/invitations", {"name": "臼杵 太郎"}, "email"),
        ("/municipalities", {"code": "442011", "name": "大分市", "kind": "city", "contact_name": "大分 花子"},
         "contact_email"),
        ("/settings", SETTINGS, "contact_email"),
    ]


@pytest.mark.parametrize(("url", "data", "field"), _posts())
def test_every_address_field_refuses_a_japanese_local_part_and_takes_an_idn(app, official_client, url, data,
                                                                          field):
    refused = official_client.post(url, data={**data, field: "担当@example.jp"})
    assert refused.status_code == 422, url
    assert "「@」より前に日本語" in refused.get_data(as_text=True)
    taken = official_client.post(url, data={**data, field: "tanto@市役所.jp"})
    assert taken.status_code in (200, 302), (url, taken.get_data(as_text=True)[:2000])
    with app.app_context():
        if url == "/invitations":
            invitation = db.session.scalar(db.select(Invitation))
            assert invitation.email == "tanto@市役所.jp"
            mail = db.session.scalar(db.select(OutboxMessage))
            assert mail.recipient == "tanto@市役所.jp" and b"tanto@xn--7sto6a74d.jp" in mail.raw
        if url == "/municipalities":
            assert db.session.scalar(db.select(Municipality.contact_email)) == "tanto@市役所.jp"


def test_member_form_refuses_a_japanese_local_part(app, official_client):
    with app.app_context():
        plan_id = db.session.scalar(db.select(Plan.id))
    refused = official_client.post(f"/plans/{plan_id}/team/new", data={
        "name": "伊藤 健", "municipality": "かわべ町", "municipality_kind": "town", "email": "担当@kawabe.example.jp"})
    assert refused.status_code == 422 and "「@」より前に日本語" in refused.get_data(as_text=True)
