"""`core` never imports Streamlit, except `core.benchmarks`, which drives the app from outside;
and pages leave Keras and TensorFlow to `core` (whose one import of them is guarded)."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT


def _imports(path: Path) -> set[str]:
    """Top-level names of every module that `path` imports, wherever in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def _lab_modules() -> list[Path]:
    return [p for p in sorted((ROOT / "core").rglob("*.py"))
            if "benchmarks" not in p.relative_to(ROOT / "core").parts and p.name != "__main__.py"]


def test_no_module_of_the_lab_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in _lab_modules() if "streamlit" in _imports(p)]
    assert offenders == []


def test_importing_every_module_of_the_lab_loads_no_streamlit():
    # also catches a library that pulls Streamlit in behind the lab's back
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
               for p in _lab_modules()]
    code = (f"import importlib, sys\nfor m in {modules!r}:\n    importlib.import_module(m)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_benchmarks_are_where_streamlit_is_driven_from():
    benchmarks = sorted((ROOT / "core" / "benchmarks").glob("*.py"))
    assert any("streamlit" in _imports(p) for p in benchmarks)


def test_pages_and_the_app_script_leave_keras_and_tensorflow_to_core():
    # A page file's third-party imports run before its first `core` import, i.e. before
    # core/keras_import.py guards the import: so Keras and TensorFlow are imported in core only.
    scripts = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "streamlit_app.py"]
    offenders = [p.name for p in scripts if {"keras", "tensorflow"} & _imports(p)]
    assert offenders == []
