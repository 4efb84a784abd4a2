"""Optional system tools for the browser and Word tests (Debian packages, not PyPI).

Without them a test skips and says why; with REQUIRE_SYSTEM_DEPS=1 (as .ci/run sets) a
missing tool fails the test instead, so CI can never pass by skipping.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

#: the Debian package that provides each tool, for the skip message
PACKAGES = {
    "chromium": "chromium",
    "soffice": "libreoffice-writer-nogui",
    "libreoffice": "libreoffice-writer-nogui",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "pdffonts": "poppler-utils",
    "fc-list": "fontconfig",
}


def strict() -> bool:
    """True when missing system tools must fail the run (CI)."""
    return os.environ.get("REQUIRE_SYSTEM_DEPS") == "1"


def missing(why: str) -> None:
    """Skip the current test, or fail it under REQUIRE_SYSTEM_DEPS=1."""
    if strict():
        pytest.fail(f"{why} (REQUIRE_SYSTEM_DEPS=1)", pytrace=False)
    pytest.skip(why)


def require(executable: str, why: str = "") -> str:
    """The absolute path of `executable` (a name on PATH or a path), or skip/fail."""
    path = shutil.which(executable)
    if path is None:
        package = PACKAGES.get(os.path.basename(executable), executable)
        missing(f"{executable} not found: apt-get install {package}"
                + (f" ({why})" if why else ""))
    return path


def require_fonts(why: str = "Japanese text needs Noto CJK fonts") -> None:
    """Skip/fail unless fontconfig knows a Noto CJK font (Debian package fonts-noto-cjk)."""
    fc_list = require("fc-list", why)
    listing = subprocess.run([fc_list, ":lang=ja", "family"], capture_output=True,
                             text=True, check=False, timeout=60).stdout
    if "Noto Sans CJK" not in listing and "Noto Serif CJK" not in listing:
        missing(f"no Noto CJK font: apt-get install fonts-noto-cjk ({why})")


def pdf_pages(pdf: Path, png_prefix: Path) -> list[str]:
    """The PDF's pages as `pdftotext -layout` reads them; each page is also drawn as a PNG at
    60 dpi (`png_prefix`-N.png) for a person to look at."""
    text = subprocess.run([require("pdftotext"), "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=120).stdout
    subprocess.run([require("pdftoppm"), "-png", "-r", "60", str(pdf), str(png_prefix)],
                   check=True, capture_output=True, timeout=120)
    return text.split("\f")[:-1]


#: the lines that close a letter or a 次第 (問い合わせ先 and its address lines)
CLOSING = ("問い合わせ先", "以上", "メール：", "電話：")


def page_body(page: str) -> list[str]:
    """A PDF page's lines (pdf_pages) without the header (organiser and year), the page number
    and the closing lines: empty for a page that holds nothing of its own."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    lines = [line for line in lines if not re.fullmatch(r"-\s*\d+\s*-", line)]
    lines = [line for line in lines if not ("伝達研修" in line and len(line) <= 40 and "年度" in line)]
    return [line for line in lines if not line.startswith(CLOSING)
            and not re.fullmatch(r"[\w\s・（）()]*(課|係|センター|県)[\w\s（）()：:]*", line)]
