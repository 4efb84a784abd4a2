"""The identifier finder on single sentences: what it flags, what it leaves, where it says it is."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from planner.domain.anonymity import KIND_NAMES, Finding, find_identifiers

ROOT = Path(__file__).resolve().parent.parent


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_identifiers([("段落 1", text)])]


def test_family_and_given_name_are_one_finding_with_offsets_and_context():
    text = "今回の相談者である山田太郎さんは、五年前に妻を亡くしてから一人で暮らしている。"

    findings = find_identifiers([("段落 3", text)])

    assert findings == [Finding("person", "山田太郎", "段落 3", "今回の相談者である山田太郎さんは、五年前に妻を亡くしてから一人で暮",
                                9, 13)]
    assert text[findings[0].start:findings[0].end] == "山田太郎"


@pytest.mark.parametrize("text, expected", [
    ("佐藤 ゆうこさんが来所した。", [("person", "佐藤 ゆうこ")]),
    ("タナカ ハナコさんが来所した。", [("person", "タナカ ハナコ")]),
    ("ファン・ティ・ランさんが来所した。", [("person", "ファン・ティ・ラン")]),
    ("凛ちゃんは保育園に通う。", [("honorific", "凛")]),
    ("翔太君と話した。", [("person", "翔太")]),
    ("竹田市に住む竹田さん。", [("place", "竹田市"), ("person", "竹田")]),
])
def test_names_with_kana_katakana_and_honorifics(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "A氏はB市のC病院に通院している。",
    "Bさんは○○センターとX町の△△病院に相談した。",
    "相談者（40代、男性）は、お母さんと担当者さんに付き添われて来所した。",
    "地域包括支援センターと社会福祉協議会、ハローワーク、福祉事務所が連携した。",
    "日本語での手続きに不安があり、九州の親族にも頼れない。",
    "令和6年4月から就労準備支援事業を利用し、45歳で再就職した。",
    "体験利用をアセスメントの機会とし、ケース会議で共有した。",
    "詳しくは https://www.mhlw.go.jp/bunya/0000097949.html を参照。",
    "支援の\n練\n度を高める。",
])
def test_anonymous_and_generic_text_yields_nothing(text):
    assert found(text) == []


@pytest.mark.parametrize("text, expected", [
    ("別府中央病院に入院した。", [("organisation", "別府中央病院")]),
    ("株式会社サトウ商事を解雇された。", [("organisation", "株式会社サトウ商事")]),
    ("ハローワーク佐伯に同行した。", [("organisation", "ハローワーク佐伯")]),
    ("大分市社会福祉協議会が担当する。", [("organisation", "大分市社会福祉協議会")]),
    ("就労継続支援B型事業所「ひだまり工房」に通う。", [("organisation", "ひだまり工房")]),
    ("大分駅前こころのクリニックを受診した。", [("organisation", "大分駅前こころのクリニック")]),
])
def test_organisations(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("携帯は090-1234-5678。", [("phone", "090-1234-5678")]),
    ("携帯は０９０－１２３４－５６７８。", [("phone", "０９０－１２３４－５６７８")]),
    ("自宅（097）123-4567まで。", [("phone", "（097）123-4567")]),
    ("電話09012345678に。", [("phone", "09012345678")]),
    ("〒870-0001 の近く。", [("postal_code", "〒870-0001")]),
    ("住所は大分市中央町１丁目２番３号。", [("address", "大分市中央町１丁目２番３号")]),
    ("住所は宇佐市大字四日市１５８２番地。", [("address", "宇佐市大字四日市１５８２番地")]),
    ("住所は佐伯市鶴岡町2-3-4。", [("address", "佐伯市鶴岡町2-3-4")]),
    ("生年月日：平成2年4月1日。", [("birth_date", "平成2年4月1日")]),
    ("昭和56年3月12日生まれの男性。", [("birth_date", "昭和56年3月12日生まれ")]),
    ("令和6年4月1日現在、37歳。", [("event_date", "令和6年4月1日"), ("age", "37歳")]),
])
def test_numbers_and_dates(text, expected):
    assert found(text) == expected


def test_numbers_alone_are_no_address_or_date():
    assert found("資料の2-3-4ページと、第3号様式、2時から3時。") == []


def test_every_kind_has_a_japanese_name():
    assert set(KIND_NAMES) == {"person", "place", "organisation", "phone", "postal_code", "address",
                               "birth_date", "age", "honorific", "email", "url", "building", "school",
                               "event_date", "case_number", "licence_plate"}
    assert all(name and not name.isascii() for name in KIND_NAMES.values())


def test_name_cell_is_a_name_even_when_the_dictionary_does_not_know_it():
    assert [(f.kind, f.text) for f in find_identifiers([("表 1 2 行 2 列（氏名）", "西 ユリ")])] == [
        ("person", "西 ユリ")]
    assert find_identifiers([("表 1 2 行 2 列（氏名）", "Bさん")]) == []


def test_long_text_is_checked_in_chunks_with_right_offsets():
    text = "本日は特に変わりなし。" * 2000 + "山田太郎さんが来所した。"

    findings = find_identifiers([("1 ページ", text)])

    assert [(f.text, text[f.start:f.end]) for f in findings] == [("山田太郎", "山田太郎")]


def test_the_dictionary_is_not_loaded_when_the_app_starts():
    code = ("import sys; from app import create_app; import planner.domain.anonymity; create_app(); "
            "print('sudachipy' in sys.modules)")
    env = {**os.environ, "DATABASE_URL": "sqlite://", "SECRET_KEY": "test"}

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=True)

    assert result.stdout.strip() == "False"


def test_threads_of_one_server_process_can_check_at_once():
    text = "山田太郎さんは別府中央病院に通院している。" * 200

    with ThreadPoolExecutor(8) as pool:
        counts = set(pool.map(lambda _: len(find_identifiers([("段落 1", text)])), range(16)))

    assert counts == {400}
