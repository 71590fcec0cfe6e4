"""The README's Python snippets, run as written from the project root (a new
user's path; the package is the one the test venv has installed)."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def snippets():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def run(code):
    # As in a shell with the venv activated: its python first on PATH (Spark
    # starts its Python workers as `python3`), no PYSPARK_PYTHON.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK_")}
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_readme_has_three_python_snippets():
    assert len(snippets()) == 3


def test_classify_and_clean_snippet():
    out = run(snippets()[0]).splitlines()
    page = (ROOT / "examples/page.txt").read_text(encoding="utf-8")
    import newsbait

    model = newsbait.load_model()
    # The printed list has one (label, probability) per paragraph of the page,
    # the cleaned page its news paragraphs, then the HTML page's two news blocks.
    assert out[0].startswith("[(") and out[0].count("(") == len(newsbait.paragraphs(page))
    cleaned = model.clean(page).splitlines()
    assert out[1 : 1 + len(cleaned)] == cleaned
    assert out[1 + len(cleaned) :] == ["国务院召开常务会议，部署稳就业工作。", "会议指出，要加大对中小微企业的支持力度。"]


def test_datatrove_snippet(tmp_path):
    run(snippets()[1])
    assert list((ROOT / "target/clean").glob("*.jsonl*"))


@pytest.mark.timeout(600)
def test_spark_snippet():
    out = run(snippets()[2])
    assert "clean" in out and "+-" in out
