"""Recall and precision of the anonymity check on an annotated corpus file, per kind.

Stricter than tests/test_anonymity_corpus.py's measure: an annotated item counts as found only
when findings of a fitting kind cover every one of its characters (「佐々木」 alone does not find
「佐々木 蓮」: replacing it would leave 「蓮」). `lenient` counts findings of any kind.
Used by tests/test_anonymity_kinds.py and `python -m tests.anonymity_score FILE.toml`.
"""
from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

from planner.domain.anonymity import find_identifiers
from planner.domain.documents import document_kind, extract_text

#: a finding of these kinds finds an annotated item of the key's kind
FITTING = {"person": {"person", "honorific"}, "place": {"place", "address"},
           "organisation": {"organisation", "school"}, "address": {"address", "building"},
           "building": {"building", "address"}, "school": {"school", "organisation"},
           "event_date": {"event_date", "birth_date"}, "birth_date": {"birth_date", "event_date"}}


def load(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def _loose(text: str) -> str:
    """A pattern for text where a space may be missing (pdftotext drops the space between
    Japanese and digits: なにわ 500 た becomes なにわ500た)."""
    return "".join("[ 　]?" if c in " 　" else re.escape(c) for c in text)


def occurrences(case: dict, parts: list[tuple[str, str]]) -> list[tuple[str, int, int, int]]:
    """(kind, part index, start, end) of every annotated item, leaving out those inside a longer one."""
    found = []
    for kind, text, *around in case.get("identifiers", []):
        pattern = around[0] if around else text
        shift = pattern.find(text)
        loose = re.compile(_loose(pattern[:shift]) + "(" + _loose(text) + ")" + _loose(pattern[shift + len(text):]))
        for index, (_, part) in enumerate(parts):
            for m in loose.finditer(part):
                found.append((kind, index, m.start(1), m.end(1)))
    return [o for o in found if not any(
        p[1] == o[1] and p[2] <= o[2] and o[3] <= p[3] and p[3] - p[2] > o[3] - o[2] for p in found)]


def _covered(findings, index: int, start: int, end: int, kinds: set[str] | None) -> bool:
    chars = set(range(start, end))
    for i, f in findings:
        if i == index and (kinds is None or f.kind in kinds):
            chars -= set(range(f.start, f.end))
    return not chars


def score(cases: list[dict], files: dict[str, bytes], lenient: bool = False):
    """found, annotated (per annotated kind), right, flagged (per finding kind), misses."""
    found, annotated, right, flagged, misses = Counter(), Counter(), Counter(), Counter(), []
    for case in cases:
        data = files[case["id"]]
        parts = extract_text(data, document_kind(data))
        tagged = [(f"{index}\x00{where}", text) for index, (where, text) in enumerate(parts)]
        findings = [(int(f.where.split("\x00")[0]), f) for f in find_identifiers(tagged)]
        items = occurrences(case, parts)
        for kind, index, start, end in items:
            annotated[kind] += 1
            hit = _covered(findings, index, start, end, None if lenient else FITTING.get(kind, {kind}))
            found[kind] += hit
            if not hit:
                misses.append(f"{case['id']} {kind} {parts[index][1][start:end]} ({parts[index][0]})")
        for index, f in findings:
            flagged[f.kind] += 1
            right[f.kind] += any(i == index and s < f.end and f.start < e for _, i, s, e in items)
    return found, annotated, right, flagged, misses


def report(title: str, found, annotated, right, flagged, misses) -> str:
    lines = [f"{title}: kind          recall            precision"]
    for kind in sorted(set(annotated) | set(flagged)):
        recall = f"{found[kind]}/{annotated[kind]} = {found[kind] / annotated[kind]:.3f}" if annotated[kind] else "-"
        precision = f"{right[kind]}/{flagged[kind]} = {right[kind] / flagged[kind]:.3f}" if flagged[kind] else "-"
        lines.append(f"  {kind:14} {recall:18} {precision}")
    lines.append(f"  overall        {sum(found.values())}/{sum(annotated.values())}"
                 f" = {sum(found.values()) / max(1, sum(annotated.values())):.3f}"
                 f"  precision {sum(right.values())}/{sum(flagged.values())}")
    lines += [f"  missed: {miss}" for miss in misses]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    from tests.anonymity_files import case_docx, case_pptx
    corpus = load(Path(argv[0]))
    for fmt, build in (("docx", case_docx), ("pptx", case_pptx)):
        files = {case["id"]: build([case]) for case in corpus["case"]}
        print(report(f"{fmt} strict", *score(corpus["case"], files)))
        print(report(f"{fmt} lenient", *score(corpus["case"], files, lenient=True)))


if __name__ == "__main__":
    main(sys.argv[1:])
