"""Participants once: the same person (name and kana, municipality, training) is recognised
on entry and on import; importing the same file again changes nothing; the same person twice
in one file is shown with the lines, and the import asks what to do."""
from __future__ import annotations

import io
from datetime import date

import pytest

from planner.domain.participants import ParticipantEntry
from planner.domain.people import same_person
from planner.models import Municipality, Participant, Training
from planner.models.db import db
from planner.services.errors import ChangeRefused
from planner.services.participants import entries as service
from planner.services.participants.files import DuplicateLines, import_reply, parse_reply
from tests.factories import OITA_OFFICIAL, login
from tests.test_participant_import import ROWS, _xlsx, world  # noqa: F401 - the fixture

TODAY = date(2026, 1, 5)


def _rows(training_id: int) -> list[tuple]:
    return [(p.id, p.name, p.kana, p.municipality_id, p.status, p.email, p.updated_at) for p in db.session.scalars(
        db.select(Participant).filter_by(training_id=training_id).order_by(Participant.id))]


@pytest.mark.parametrize(("a", "b", "same"), [
    (("山田 花子", "やまだ はなこ"), ("山田　花子", "ヤマダ ハナコ"), True),
    (("山田 花子", "やまだ はなこ"), ("山田花子", ""), True),
    (("山田 花子", "やまだ はなこ"), ("山田 花子", "やまだ かこ"), False),
    (("ｻﾄｳ", ""), ("サトウ", ""), True),
    (("山田 花子", ""), ("山田 花", ""), False),
])
def test_same_person_ignores_spaces_width_and_kana_script(a, b, same):
    assert same_person(*a, *b) is same


def test_importing_the_same_file_twice_changes_nothing(app, world):
    data = _xlsx(ROWS)
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        assert len(import_reply(training, parse_reply(data, training), today=TODAY)) == 3
        before = _rows(training.id)
        assert import_reply(training, parse_reply(data, training), today=TODAY) == []
        assert _rows(training.id) == before


def test_the_web_import_twice_says_nothing_changed(app, client, world):
    login(client, OITA_OFFICIAL)
    url = f"/trainings/{world.trainings['common']}/participants/import"
    first = client.post(url, data={"file": (io.BytesIO(_xlsx(ROWS)), "reply.xlsx")}, follow_redirects=True)
    assert "3名を登録しました" in first.get_data(as_text=True)
    with app.app_context():
        before = _rows(world.trainings["common"])
    second = client.post(url, data={"file": (io.BytesIO(_xlsx(ROWS)), "reply.xlsx")}, follow_redirects=True)
    assert "全員すでに登録されています。変更はありません。" in second.get_data(as_text=True)
    with app.app_context():
        assert _rows(world.trainings["common"]) == before


def test_duplicates_in_one_file_are_shown_with_their_lines_and_the_import_asks(app, client, world):
    rows = ROWS + [["大分市", "山田　花子", "ヤマダ ハナコ", "福祉課", "支援員", "", "", ""]]
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        with pytest.raises(DuplicateLines) as asked:
            import_reply(training, parse_reply(_xlsx(rows), training), today=TODAY)
        assert asked.value.messages == ["2・5行目: 山田 花子さん（大分市）が重複しています。"]
        assert _rows(training.id) == []
    login(client, OITA_OFFICIAL)
    url = f"/trainings/{world.trainings['common']}/participants/import"
    page = client.post(url, data={"file": (io.BytesIO(_xlsx(rows)), "reply.xlsx")})
    html = page.get_data(as_text=True)
    assert page.status_code == 409 and "2・5行目: 山田 花子さん（大分市）が重複しています。" in html
    assert 'name="duplicates" value="first"' in html
    taken = client.post(url, data={"file": (io.BytesIO(_xlsx(rows)), "reply.xlsx"), "duplicates": "first"},
                        follow_redirects=True)
    assert "重複していた1行は最初の行だけを取り込みました" in taken.get_data(as_text=True)
    with app.app_context():
        assert [r[1] for r in _rows(world.trainings["common"])] == ["山田 花子", "佐藤 一郎", "鈴木 恵"]


def test_entering_a_registered_person_again_is_refused_in_japanese(app, world):
    with app.app_context():
        training = db.session.get(Training, world.trainings["common"])
        oita = db.session.scalar(db.select(Municipality).filter_by(name="大分市"))
        service.add_entries(training, oita, [ParticipantEntry("山田 花子", "やまだ はなこ")], "link", today=TODAY)
        with pytest.raises(ChangeRefused) as refused:
            service.add_entries(training, oita, [ParticipantEntry("山田　花子", "ヤマダハナコ")], "official",
                                today=TODAY)
        assert "山田　花子さん（ヤマダハナコ）はすでにこの研修に登録されています" in refused.value.messages[0]
        with pytest.raises(ChangeRefused) as twice:
            service.add_entries(training, oita, [ParticipantEntry("佐藤 一郎"), ParticipantEntry("佐藤一郎")],
                                "link", today=TODAY)
        assert twice.value.messages == ["2人目: 佐藤一郎さんが同じ申込の中に2回あります。"]
        assert len(_rows(training.id)) == 1
