"""README shows the app: its two commands on the first screen, then pictures made by docs/screenshots.py."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_commands_on_first_screen_and_screenshots_below():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    first_screen = "\n".join(lines[:30])
    assert "flask --app app demo" in first_screen
    assert "python -m pytest" in first_screen

    images = re.findall(r"!\[[^\]]+\]\((docs/img/[^)]+\.png)\)", "\n".join(lines))
    assert len(images) >= 3
    for image in images:
        data = (ROOT / image).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", image
    script = (ROOT / "docs" / "screenshots.py").read_text(encoding="utf-8")
    for image in images:
        assert Path(image).name in script  # every picture is renewed by the script


def test_docs_pages_linked_from_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\((docs/[^)#]+\.md)\)", readme):
        assert (ROOT / link).exists(), link
