"""`flask check-anonymity FILE [--json]`: findings printed, exit 1 / 0 / 2, Japanese errors."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

ROOT = Path(__file__).resolve().parent.parent


def _docx(path: Path, text: str) -> Path:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_findings_are_printed_with_kind_where_and_context_and_exit_1(runner, tmp_path):
    case = _docx(tmp_path / "事例.docx", "山田太郎さんは別府中央病院に通院している。")

    result = runner.invoke(args=["check-anonymity", str(case)])

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["人名", "山田太郎", "段落 1"]
    assert lines[1].split("\t")[:3] == ["組織名", "別府中央病院", "段落 1"]
    assert "山田太郎さんは別府中央病院に通院" in lines[0]
    assert "2 件の確認事項があります" in result.stderr


def test_json_lists_the_findings(runner, tmp_path):
    case = _docx(tmp_path / "case.docx", "連絡先は090-1234-5678（佐藤）。")

    result = runner.invoke(args=["check-anonymity", str(case), "--json"])

    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(f["kind"], f["kind_name"], f["text"], f["where"]) for f in data] == [
        ("phone", "電話番号", "090-1234-5678", "段落 1"), ("person", "人名", "佐藤", "段落 1")]
    assert set(data[0]) == {"kind", "kind_name", "text", "where", "context", "start", "end"}


def test_an_anonymous_file_exits_0(runner, tmp_path):
    case = _docx(tmp_path / "case.docx", "A氏はB市の○○病院に通院している。")

    result = runner.invoke(args=["check-anonymity", str(case), "--json"])

    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize("name, data, message", [
    ("tool.docx", b"MZ\x90\x00" + b"\x00" * 100, "実行ファイルは登録できません"),
    ("memo.pdf", "ただのテキストです".encode(), "以外のファイルは登録できません"),
    ("broken.docx", b"PK\x03\x04" + b"\x00" * 100, "壊れていて読めません"),
])
def test_unreadable_files_exit_2_with_a_japanese_message(runner, tmp_path, name, data, message):
    (tmp_path / name).write_bytes(data)

    result = runner.invoke(args=["check-anonymity", str(tmp_path / name)])

    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_missing_file_exits_2(runner, tmp_path):
    result = runner.invoke(args=["check-anonymity", str(tmp_path / "nothing.docx")])

    assert result.exit_code == 2
    assert "を読めません" in result.stderr


def _flask(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": "sqlite://", "SECRET_KEY": "test"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_exit_codes_in_a_real_process(tmp_path):
    named = _docx(tmp_path / "named.docx", "鈴木健一さんの件。")
    clean = _docx(tmp_path / "clean.docx", "Aさんの件。")
    (tmp_path / "program.pdf").write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 100)

    results = [_flask("check-anonymity", str(path)) for path in (named, clean, tmp_path / "program.pdf")]

    assert [r.returncode for r in results] == [1, 0, 2], [r.stderr for r in results]
    assert "鈴木健一" in results[0].stdout
    assert all("Traceback" not in r.stderr for r in results)
    assert "エラー: program.pdf: 実行ファイルは登録できません" in results[2].stderr
