"""Zip uploads whose headers lie about their size (1 KiB said, 1 GiB inside) are refused
before any library inflates them, in bounded memory, with nothing stored."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from planner.domain.documents import UnreadableDocument, document_kind
from planner.domain.safezip import ZipRefused, check_zip
from planner.services.spreadsheets import SheetError, xlsx_rows
from tests.lying_zips import MAIN_PARTS, honest

ROOT = Path(__file__).resolve().parent.parent
#: the bound stated in planner/domain/safezip.py's note: refusing the six uploads and the
#: roster file may raise the process's peak RSS by at most this much (it would be ~2 GiB each)
PEAK_BOUND_MIB = 32


def _small_lie(kind: str, real: int = 8 * 1024 * 1024) -> bytes:
    """The kind's honest file with one extra entry that says 1 KiB and inflates to `real` bytes."""
    out = io.BytesIO(honest(kind))
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("customXml/item9.xml", b" " * real)
    data = bytearray(out.getvalue())
    name = b"customXml/item9.xml"
    local = data.find(b"PK\x03\x04")
    while local >= 0:  # patch the uncompressed size in the local header and the central record
        if data[local + 30:local + 30 + len(name)] == name:
            data[local + 22:local + 26] = (1024).to_bytes(4, "little")
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        if data[central + 46:central + 46 + len(name)] == name:
            data[central + 24:central + 28] = (1024).to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


@pytest.mark.parametrize("kind", sorted(MAIN_PARTS))
def test_honest_files_pass_and_their_kind_is_found(kind):
    data = honest(kind)

    check_zip(data)

    assert document_kind(data) == kind


@pytest.mark.parametrize("kind", sorted(MAIN_PARTS))
def test_an_entry_that_inflates_past_its_header_is_refused_in_japanese(kind):
    data = _small_lie(kind)

    with pytest.raises(ZipRefused, match="記録された大きさと合いません"):
        check_zip(data)
    with pytest.raises(UnreadableDocument, match="記録された大きさと合いません"):
        document_kind(data)


def test_a_roster_xlsx_that_lies_is_refused_before_openpyxl_reads_it():
    with pytest.raises(SheetError, match="記録された大きさと合いません"):
        xlsx_rows(_small_lie("xlsx"), 10)


def test_too_many_entries_and_too_much_in_all_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(30):
            zf.writestr(f"part{i}.xml", b"x" * 1000)

    with pytest.raises(ZipRefused, match="項目が多すぎます"):
        check_zip(out.getvalue(), max_entries=20)
    with pytest.raises(ZipRefused, match="大きすぎる"):
        check_zip(out.getvalue(), max_total=10_000)


@pytest.mark.slow
def test_lying_uploads_of_every_kind_are_refused_in_bounded_memory_and_store_nothing():
    """In a subprocess (its own peak RSS): .docx, .pptx and .xlsx whose main part says 1 KiB
    and inflates to 1 GiB, uploaded as an ordinary material and as a case file, and a roster
    .xlsx read by the importers' reader."""
    env = {**os.environ}
    result = subprocess.run([sys.executable, "-m", "tests.lying_zips"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600, check=True)
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    print(f"\npeak RSS before {probe['before_mib']:.1f} MiB, after {probe['after_mib']:.1f} MiB; "
          f"6 uploads and a roster file refused in {probe['seconds']:.2f} s; files {probe['file_bytes']}")
    assert [(a["status"], a["message"]) for a in probe["answers"]] == [(422, True)] * 6
    assert {(a["kind"], a["case"]) for a in probe["answers"]} == {(k, c) for k in MAIN_PARTS for c in (False, True)}
    assert "記録された大きさと合いません" in probe["sheet"]
    assert probe["stored_after"] == probe["stored_before"] and probe["case_versions"] == 0
    assert probe["after_mib"] - probe["before_mib"] <= PEAK_BOUND_MIB
