"""The municipalities' reply files: .xlsx and CSV as Excel saves it (UTF-8 with BOM, cp932),
all or nothing with line-and-field messages, entries through add_entries (quota -> waiting),
and the exported 受講者名簿 imported again."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from exports import participants as outputs
from planner.models import Municipality, Participant, Training
from planner.models.db import db
from planner.services.participants.files import COLUMNS, import_reply, parse_reply
from planner.services.spreadsheets import SheetError, write_csv
from tests.factories import OITA_MEMBER, OITA_OFFICIAL, login, make_oita, make_prefecture, make_user
from tests.participant_data import add_participants, make_municipalities

ROWS = [["大分市", "山田 花子", "やまだ はなこ", "福祉課", "支援員", "相談支援員", "hanako@example.jp", "車いす"],
        ["442020", "佐藤 一郎", "さとう いちろう", "", "自治体担当者", "主査", "", ""],
        ["別府市", "鈴木 恵", "すずき めぐみ", "社会福祉協議会", "関係機関", "", "", "手話通訳\n資料の拡大"]]


def _xlsx(rows, header=COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cp932(rows, header=COLUMNS) -> bytes:
    return "\r\n".join(",".join(f'"{c}"' for c in row) for row in [header] + rows).encode("cp932")


@pytest.fixture
def world(app):
    with app.app_context():
        world = make_oita()
        make_municipalities(world.prefecture)
        training = db.session.get(Training, world.trainings["common"])
        training.per_municipality = 2
        training.capacity = 40
        db.session.commit()
    return world


def _saved(training_id: int) -> list[tuple[str, str, str]]:
    rows = db.session.scalars(db.select(Participant).filter_by(training_id=training_id).order_by(Participant.id))
    return [(p.name, p.municipality.name if p.municipality else "", p.status) for p in rows]


def test_xlsx_reply_is_imported_by_name_and_code(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        added = import_reply(training, parse_reply(_xlsx(ROWS), training), today=date(2026, 1, 5))

        assert len(added) == 3
        assert _saved(training.id) == [("山田 花子", "大分市", "accepted"), ("佐藤 一郎", "別府市", "accepted"),
                                       ("鈴木 恵", "別府市", "accepted")]
        kept = db.session.scalar(db.select(Participant).filter_by(name="鈴木 恵"))
        assert (kept.kind, kept.needs, kept.entered_via) == ("agency", "手話通訳\n資料の拡大", "import")


def test_cp932_csv_reply_over_quota_goes_to_the_waiting_list(app, world):
    rows = ROWS + [["大分市", f"高橋 {n}", "たかはし", "", "支援員", "", "", ""] for n in range(2)]
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        import_reply(training, parse_reply(_cp932(rows), training), today=date(2026, 1, 5))

        saved = _saved(training.id)
        oita = [status for _, place, status in saved if place == "大分市"]
        assert oita == ["accepted", "accepted", "waiting"]
        waiting = db.session.scalar(db.select(Participant).filter_by(status="waiting"))
        assert "2名" in waiting.waiting_reason


def test_utf8_bom_csv_from_write_csv_is_read(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        lines = parse_reply(write_csv([COLUMNS] + ROWS), training)
        assert [line.entry.name for line in lines] == ["山田 花子", "佐藤 一郎", "鈴木 恵"]


@pytest.mark.parametrize("data, message", [
    (b'"\xe5\xb8\x82",\xff\xfe\x81\x20', "文字コード"),
    (_xlsx([["宇佐市", "山田 花子"]]), "2行目の「市町村」の「宇佐市」"),
    (_xlsx([ROWS[0], ["大分市", "", "やまだ"]]), "3行目の「氏名」"),
    (_xlsx([ROWS[0], ["大分市", "=CONCAT(\"山\",\"田\")"]]), "3行目のB列が数式"),
    (_xlsx([["大分市", "山田", "", "", "講師"]]), "「区分」の「講師」"),
    (_xlsx([["", "山田", "", "", "支援員"]]), "「市町村」が空"),
    (_xlsx([["大分市", "山" * 101]]), "2行目の「氏名」"),
    (_xlsx([ROWS[0]], header=["氏名", "ふりがな"]), "「市町村」の列がありません"),
    (b"PK\x03\x04broken", "Excel ファイル（.xlsx）として読めません"),
    (_xlsx([]), "受講者の行がありません"),
])
def test_broken_reply_is_refused_whole(app, world, data, message):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        with pytest.raises(SheetError) as refused:
            parse_reply(data, training)
        assert message in str(refused.value)
        assert _saved(training.id) == []


def test_too_large_upload_is_refused_with_413_and_nothing_saved(app, client, world):
    with app.app_context():
        training_id = world.trainings["common"]
    login(client, OITA_OFFICIAL)
    big = _cp932(ROWS) + b"," * (3 * 1024 * 1024)
    # the multipart body written out (a dict with a file would spool it to an unclosed temp file)
    body = (b'--B\r\nContent-Disposition: form-data; name="file"; filename="reply.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + big + b"\r\n--B--\r\n")

    response = client.post(f"/trainings/{training_id}/participants/import", data=body,
                           content_type="multipart/form-data; boundary=B")

    assert response.status_code == 413
    assert "ファイルが大きすぎます" in response.get_data(as_text=True)
    with app.app_context():
        assert _saved(training_id) == []


def test_import_page_refuses_a_bad_file_with_the_line_and_saves_a_good_one(app, client, world):
    with app.app_context():
        training_id = world.trainings["common"]
    login(client, OITA_OFFICIAL)
    url = f"/trainings/{training_id}/participants/import"

    bad = client.post(url, data={"file": (io.BytesIO(_xlsx([ROWS[0], ["中津", "x"]])), "r.xlsx")},
                      content_type="multipart/form-data")
    good = client.post(url, data={"file": (io.BytesIO(_cp932(ROWS)), "r.csv"), "once": "token-1"},
                       content_type="multipart/form-data")
    again = client.post(url, data={"file": (io.BytesIO(_cp932(ROWS)), "r.csv"), "once": "token-1"},
                        content_type="multipart/form-data")

    assert bad.status_code == 422
    assert "3行目の「市町村」の「中津」" in bad.get_data(as_text=True)
    assert good.status_code == again.status_code == 302
    with app.app_context():
        assert len(_saved(training_id)) == 3


def test_exported_participant_list_imports_again(app, world):
    with app.app_context():
        source = db.session.get(Training, world.trainings["common"])
        target = db.session.get(Training, world.trainings["counselor"])
        target.per_municipality = 10
        people = add_participants(source, db.session.scalars(db.select(Municipality)).all(), 12, groups=3)
        people[0].name = "=HYPERLINK(\"http://evil.example/\")"
        people[1].needs = "手話通訳\n車いす"
        db.session.commit()
        exported = outputs.participant_list_xlsx(source)

        import_reply(target, parse_reply(exported, target), today=date(2026, 1, 5))

        def entries(training):
            return sorted((p.municipality_id, p.name, p.kana, p.affiliation, p.kind, p.job, p.email, p.needs)
                          for p in db.session.scalars(db.select(Participant).filter_by(training_id=training.id)))
        assert entries(target) == entries(source)


def test_member_and_other_prefecture_cannot_reach_participant_pages(app, client, world):
    with app.app_context():
        training_id = world.trainings["common"]
        other = make_prefecture("福岡県")
        make_user(other, "official@fukuoka.example.jp")
        add_participants(db.session.get(Training, training_id), db.session.scalars(db.select(Municipality)).all(), 2)
        participant_id = db.session.scalar(db.select(Participant.id))
    pages = [f"/trainings/{training_id}/reception", f"/trainings/{training_id}/participants/papers",
             f"/trainings/{training_id}/participants/papers/list.xlsx", f"/plans/{world.plan}/participants/coverage"]

    login(client, OITA_MEMBER)
    assert [client.get(url).status_code for url in pages] == [403] * 4
    assert client.post(f"/trainings/{training_id}/reception/{participant_id}", data={"arrived": "1"}).status_code == 403
    client.post("/logout")
    login(client, "official@fukuoka.example.jp")
    assert [client.get(url).status_code for url in pages] == [404] * 4
    assert client.post(f"/trainings/{training_id}/reception/{participant_id}", data={"arrived": "1"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(Participant.attended_at).filter_by(id=participant_id)) is None
