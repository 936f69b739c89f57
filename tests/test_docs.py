"""Every ```python block in README.md and docs/*.md runs, so the docs cannot rot.

Blocks of one page run in order in one namespace, like a reader following
the page. Doctest-style examples in docstrings are run by ``test_docstrings``.
"""

import os
import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
CODE_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(page: Path) -> list[str]:
    """The ```python code blocks of a markdown page, in order."""
    return CODE_BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_page_code_runs(page, tmp_path, monkeypatch):
    blocks = python_blocks(page)
    monkeypatch.chdir(tmp_path)  # pages may write files
    namespace = {"__name__": f"docs_{page.stem}"}
    environment = dict(os.environ)  # a page may set KERAS_BACKEND for its reader
    try:
        for index, block in enumerate(blocks):
            code = compile(block, f"{page.name} block {index + 1}", "exec")
            exec(code, namespace)
    finally:
        os.environ.clear()
        os.environ.update(environment)


def test_code_block_pattern_finds_blocks():
    sample = "text\n```python\nx = 1\n```\n\n```bash\nls\n```\n```python\ny = 2\n```\n"
    page = Path(__file__).with_name("_sample_page.md")
    try:
        page.write_text(sample)
        assert python_blocks(page) == ["x = 1\n", "y = 2\n"]
    finally:
        page.unlink()


def test_api_reference_is_up_to_date():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "build_api.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
