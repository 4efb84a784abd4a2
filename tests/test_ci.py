"""CI runs exactly the test command README gives (.ci/run copies it; this keeps the copies equal)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

    block = readme.split("すべてのテストを実行する:", 1)[1]
    command = re.search(r"```sh\n(.+?)\n```", block, re.S).group(1).strip()
    copied = re.search(r"^TEST_COMMAND='(.+)'$", ci, re.M).group(1)

    assert copied == command
    assert "-n auto" in command  # the workers, each with its own database
