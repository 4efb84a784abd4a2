"""Time and memory of the anonymity check on a 20-page case document (.docx).

The document is the synthetic corpus (tests/anonymity_corpus/cases.toml) repeated until it
fills about 20 A4 pages (counted with LibreOffice when soffice is there). Measured:

1. time: the check (document_kind + extract_text + find_identifiers) against Sudachi tokenising
   the same parts' text alone, both with the dictionary already loaded; median of ROUNDS runs,
   and the ratio. The first load of the dictionary is timed apart.
2. memory, in fresh processes (never timed): peak RSS of a process that only loads Python and
   the libraries, of one that tokenises the text, and of one that runs the check; with the
   resident memory split into anonymous (private to the process) and file-backed (the
   memory-mapped dictionary, shared by every process on the machine through the page cache),
   and tracemalloc's peak of Python objects during the check.

Usage: .venv/bin/python bench/bench_anonymity.py [ROUNDS]
"""
from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner.domain import anonymity
from planner.domain.documents import document_kind, extract_text
from tests.anonymity_files import case_docx, docx_to_pdfs, load_corpus

DOCUMENT = Path(tempfile.gettempdir()) / "bench_anonymity_20_pages.docx"
#: the 20 annotated cases twice and three more: 20 A4 pages in LibreOffice (printed below)
COPIES, EXTRA = 2, 5


def build_document() -> bytes:
    cases = load_corpus()["case"]
    chosen = [*(case for _ in range(COPIES) for case in cases), *cases[:EXTRA]]
    data = case_docx([dict(case, id=f"{case['id']}-{n}") for n, case in enumerate(chosen)])
    DOCUMENT.write_bytes(data)
    return data


def pages(data: bytes) -> str:
    soffice, pdfinfo = shutil.which("soffice"), shutil.which("pdfinfo")
    if not soffice or not pdfinfo:
        return "? (no soffice/pdfinfo)"
    with tempfile.TemporaryDirectory() as tmp:
        docx_to_pdfs(soffice, {"bench": data}, Path(tmp))  # writes bench.pdf there
        info = subprocess.run([pdfinfo, str(Path(tmp) / "bench.pdf")], capture_output=True, text=True,
                              check=True).stdout
    return next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))


def check(data: bytes) -> list:
    return anonymity.find_identifiers(extract_text(data, document_kind(data)))


def tokenize_only(texts: list[str]) -> int:
    return sum(len(anonymity.tokenize(text)) for text in texts)


def median_seconds(function, rounds: int) -> float:
    spent = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


def memory_child(mode: str) -> None:
    """Run in a fresh process: do one thing, print peak RSS and its parts as JSON."""
    import tracemalloc
    data = DOCUMENT.read_bytes()
    texts = [text for _, text in extract_text(data, "docx")]
    if mode == "tokenize":
        tokenize_only(texts)
    elif mode == "check":
        tracemalloc.start()
        check(data)
        result_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the forking parent
    print(json.dumps({"peak_rss_kib": int(status["VmHWM"].split()[0]),
                      "rss_anon_kib": int(status["RssAnon"].split()[0]),
                      "rss_file_kib": int(status["RssFile"].split()[0]),
                      "traced_peak_kib": result_peak // 1024 if mode == "check" else None}))


def memory(mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--memory", mode], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    return json.loads(out)


def main(rounds: int = 5) -> None:
    data = build_document()
    texts = [text for _, text in extract_text(data, "docx")]
    print(f"document: {len(data) / 1024:.0f} KiB .docx, {sum(map(len, texts)):,} characters in "
          f"{len(texts)} parts, {pages(data)} A4 pages (LibreOffice)")

    started = time.perf_counter()
    anonymity.tokenize("辞書を読み込む。")
    print(f"first use (loads the Sudachi dictionary): {time.perf_counter() - started:.3f} s")

    findings = check(data)
    tokens = tokenize_only(texts)
    check_s = median_seconds(lambda: check(data), rounds)
    tokenize_s = median_seconds(lambda: tokenize_only(texts), rounds)
    extract_s = median_seconds(lambda: extract_text(data, document_kind(data)), rounds)
    print(f"check (kind + text + findings): {check_s * 1000:.0f} ms, {len(findings)} findings "
          f"(median of {rounds})")
    print(f"  of which reading the .docx (kind + text): {extract_s * 1000:.0f} ms")
    print(f"Sudachi tokenising the same text alone: {tokenize_s * 1000:.0f} ms, {tokens:,} tokens")
    print(f"ratio check / tokenising alone: {check_s / tokenize_s:.2f}")

    base, tokenized, checked = memory("none"), memory("tokenize"), memory("check")
    for name, m in (("python + libraries, no dictionary", base), ("tokenising alone", tokenized),
                    ("the check", checked)):
        print(f"peak RSS, {name}: {m['peak_rss_kib'] / 1024:.1f} MiB "
              f"(at the end: anonymous {m['rss_anon_kib'] / 1024:.1f} MiB, "
              f"file-backed {m['rss_file_kib'] / 1024:.1f} MiB)")
    print(f"ratio of peak RSS check / tokenising alone: {checked['peak_rss_kib'] / tokenized['peak_rss_kib']:.2f}")
    print(f"tracemalloc peak of Python objects during the check: {checked['traced_peak_kib']:,} KiB")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--memory":
        memory_child(sys.argv[2])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
