"""The anonymity check in a short-lived process of its own, so that a web server that checks a
case file does not keep Sudachi's dictionary, python-docx and python-pptx (about 100 MiB) for
the rest of its life: the process reads the file on stdin, prints the findings as JSON, and
ends, giving its memory back. Same answers as calling find_identifiers(extract_text(...)) in
the web process (tests/test_anonymity_process.py). About a second per check, most of it
Python and the libraries starting (bench/bench_anonymity_process.py).

Usage (internal): python -m planner.domain.anonymity_process KIND < FILE
Exit codes: 0 findings printed, 2 a file it cannot read (the Japanese message on stdout).
Pure: no Flask, no database.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from planner.domain.anonymity import Finding
from planner.domain.documents import UnreadableDocument

ROOT = Path(__file__).resolve().parents[2]
#: a 20 MB file of a hundred pages takes well under a minute; beyond this something is wrong
TIMEOUT_SECONDS = 300


def check_elsewhere(data: bytes, kind: str) -> list[Finding]:
    """The findings of the file, computed in a child process; UnreadableDocument as the check
    in this process would raise it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    try:
        result = subprocess.run([sys.executable, "-m", "planner.domain.anonymity_process", kind], input=data,
                                capture_output=True, timeout=TIMEOUT_SECONDS, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise UnreadableDocument("確認に時間がかかりすぎました。ファイルを分けてアップロードしてください。") from None
    if result.returncode == 2:
        raise UnreadableDocument(json.loads(result.stdout)["error"])
    if result.returncode != 0:
        raise RuntimeError(f"the anonymity check process failed: {result.stderr.decode(errors='replace')[-2000:]}")
    return [Finding(**item) for item in json.loads(result.stdout)]


def _main(kind: str) -> int:
    from dataclasses import asdict

    from planner.domain.anonymity import find_identifiers
    from planner.domain.documents import extract_text
    data = sys.stdin.buffer.read()
    try:
        findings = find_identifiers(extract_text(data, kind))
    except UnreadableDocument as exc:
        sys.stdout.write(json.dumps({"error": str(exc)}, ensure_ascii=False))
        return 2
    sys.stdout.write(json.dumps([asdict(f) for f in findings], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1]))
