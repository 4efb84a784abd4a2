"""Recall and precision of the anonymity check on the synthetic corpus, as .docx, .pptx and .pdf.

Recall counts every occurrence of every annotated item: it is found when a finding of a fitting
kind overlaps it in the same part. Precision counts the findings that overlap an annotated item.
Run with -s to see the table per format and kind.
"""
from __future__ import annotations

from collections import Counter

import pytest

from planner.domain.anonymity import find_identifiers
from planner.domain.documents import document_kind, extract_text, replace_text
from tests.anonymity_files import case_docx, case_pptx, docx_to_pdfs, load_corpus
from tests.system import require, require_fonts

#: the kinds the issue asks ≥ 95% recall for
MAIN_KINDS = ("person", "place", "organisation", "phone", "address")
#: a finding of these kinds finds an annotated item of the key's kind (Tanaka with さん is a name)
FITTING = {"person": {"person", "honorific"}, "place": {"place", "address"},
           "organisation": {"organisation", "school"}, "address": {"address", "building"}}
#: precision floor: a reporter settles every finding by hand, so at most one in five may be a
#: false alarm before the check becomes a chore people click through without reading
PRECISION_FLOOR = 0.8
CORPUS = load_corpus()


@pytest.fixture(scope="module")
def documents():
    """{'docx' or 'pptx': {case id: bytes}} for every case, annotated and clean."""
    cases = CORPUS["case"] + CORPUS["clean"]
    docx = {case["id"]: case_docx([case]) for case in cases}
    pptx = {case["id"]: case_pptx([case]) for case in cases}
    return {"docx": docx, "pptx": pptx}


@pytest.fixture(scope="module")
def pdfs(documents, tmp_path_factory):
    """{case id: PDF bytes}: LibreOffice's rendering of each case's .docx."""
    soffice = require("soffice", "the corpus PDFs are LibreOffice's rendering of the .docx")
    require_fonts("the corpus is Japanese")
    return docx_to_pdfs(soffice, documents["docx"], tmp_path_factory.mktemp("corpus-pdf"))



def occurrences(case: dict, parts: list[tuple[str, str]]) -> list[tuple[str, int, int, int]]:
    """(kind, part index, start, end) of every annotated item, leaving out those inside a longer one."""
    found = []
    for kind, text, *around in case.get("identifiers", []):
        pattern = around[0] if around else text
        shift = pattern.find(text)
        for index, (_, part) in enumerate(parts):
            i = part.find(pattern)
            while i >= 0:
                found.append((kind, index, i + shift, i + shift + len(text)))
                i = part.find(pattern, i + 1)
    return [o for o in found if not any(
        p[1] == o[1] and p[2] <= o[2] and o[3] <= p[3] and p[3] - p[2] > o[3] - o[2] for p in found)]


def score(files: dict[str, bytes]) -> tuple[Counter, Counter, Counter, Counter, list[str]]:
    """found, annotated (per annotated kind), right, findings (per finding kind), and the misses.

    Parts are told apart by their index, not by where: a slide or a PDF page has several.
    """
    found, annotated, right, flagged, misses = Counter(), Counter(), Counter(), Counter(), []
    for case in CORPUS["case"]:
        data = files[case["id"]]
        parts = extract_text(data, document_kind(data))
        findings = [(index, f) for index, part in enumerate(parts) for f in find_identifiers([part])]
        items = occurrences(case, parts)
        for kind, index, start, end in items:
            annotated[kind] += 1
            hit = any(i == index and f.start < end and start < f.end
                      and f.kind in FITTING.get(kind, {kind}) for i, f in findings)
            found[kind] += hit
            if not hit:
                misses.append(f"{case['id']} {kind} {parts[index][1][start:end]} ({parts[index][0]})")
        for index, f in findings:
            flagged[f.kind] += 1
            right[f.kind] += any(i == index and s < f.end and f.start < e for _, i, s, e in items)
    return found, annotated, right, flagged, misses


def _report(fmt, found, annotated, right, flagged, misses) -> None:
    print(f"\n{fmt}: kind          recall            precision")
    for kind in sorted(set(annotated) | set(flagged)):
        recall = f"{found[kind]}/{annotated[kind]} = {found[kind] / annotated[kind]:.3f}" if annotated[kind] else "-"
        precision = f"{right[kind]}/{flagged[kind]} = {right[kind] / flagged[kind]:.3f}" if flagged[kind] else "-"
        print(f"  {kind:14} {recall:18} {precision}")
    print(f"  overall        {sum(found.values())}/{sum(annotated.values())}"
          f"  {sum(right.values())}/{sum(flagged.values())}")
    for miss in misses:
        print(f"  missed: {miss}")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["docx", "pptx", "pdf"])
def test_recall_is_at_least_95_percent_per_kind_and_precision_above_the_floor(fmt, documents, request):
    files = request.getfixturevalue("pdfs") if fmt == "pdf" else documents[fmt]

    found, annotated, right, flagged, misses = score(files)

    _report(fmt, found, annotated, right, flagged, misses)
    main_found = sum(found[k] for k in MAIN_KINDS)
    assert main_found / sum(annotated[k] for k in MAIN_KINDS) >= 0.95, misses
    for kind in MAIN_KINDS:
        assert annotated[kind] >= 8, f"too few {kind} items in the corpus to measure"
        assert found[kind] / annotated[kind] >= 0.95, (kind, misses)
    assert sum(right.values()) / sum(flagged.values()) >= PRECISION_FLOOR
    for kind in MAIN_KINDS:
        assert right[kind] / flagged[kind] >= PRECISION_FLOOR, kind


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["docx", "pptx", "pdf"])
def test_anonymised_cases_yield_no_finding(fmt, documents, request):
    files = request.getfixturevalue("pdfs") if fmt == "pdf" else documents[fmt]

    for case in CORPUS["clean"]:
        data = files[case["id"]]
        assert find_identifiers(extract_text(data, document_kind(data))) == [], case["id"]


def test_every_annotated_item_occurs_in_its_case():
    for case in CORPUS["case"]:
        text = "\n".join([case["consultation"], case["progress"], *("\t".join(r) for r in case["family"])])
        for kind, item, *around in case["identifiers"]:
            assert (around[0] if around else item) in text, (case["id"], item)
            assert item in (around[0] if around else item)
            assert kind in {"person", "place", "organisation", "phone", "postal_code", "address",
                            "birth_date", "age"}


@pytest.mark.parametrize("fmt", ["docx", "pptx"])
def test_replacing_every_annotated_item_leaves_none_of_them(fmt, documents):
    for case in CORPUS["case"]:
        data = documents[fmt][case["id"]]
        replacements = {text: "○○" for _, text, *_ in case["identifiers"]}

        new = replace_text(data, fmt, replacements)

        text = "\n".join(part for _, part in extract_text(new, document_kind(new)))
        assert [old for old in replacements if old in text] == [], case["id"]
