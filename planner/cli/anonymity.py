"""`flask --app app check-anonymity FILE [--json]`: the case-material check from the command line.

Exit codes: 0 nothing found, 1 findings to settle, 2 a file it cannot read.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from planner.cli.common import fail
from planner.domain.anonymity import KIND_NAMES, find_identifiers
from planner.domain.documents import UnreadableDocument, document_kind, extract_text


@click.command("check-anonymity")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSON で出力します。")
def check_anonymity_command(file: Path, as_json: bool) -> None:
    """Find names, places, organisations, numbers and dates that could identify someone in FILE."""
    try:
        data = file.read_bytes()
    except OSError:
        fail(f"ファイル {file} を読めません（ありません、またはフォルダーです）。")
    try:
        kind = document_kind(data)
        findings = find_identifiers(extract_text(data, kind))
    except UnreadableDocument as refused:
        fail(f"{file.name}: {refused}")
    if as_json:
        click.echo(json.dumps([{"kind": f.kind, "kind_name": KIND_NAMES[f.kind], "text": f.text,
                                "where": f.where, "context": f.context, "start": f.start, "end": f.end}
                               for f in findings], ensure_ascii=False, indent=2))
    else:
        for f in findings:
            click.echo(f"{KIND_NAMES[f.kind]}\t{f.text}\t{f.where}\t…{f.context}…")
        if findings:
            click.echo(f"{len(findings)} 件の確認事項があります（匿名化するか、問題ないと確認してください）。",
                       err=True)
        else:
            click.echo("個人や機関を特定できる記述は見つかりませんでした。", err=True)
    raise SystemExit(1 if findings else 0)
