"""pages/__init__.py sets Streamlit's private pages-folder flag: pinned to the Streamlit versions
it was checked with, and the behaviour it relies on is checked, down to a fresh server."""

import ast
import asyncio
import inspect
from pathlib import Path

import streamlit
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from core.benchmarks.server import start_server, stop_server
from core.benchmarks.student import open_link
from tests.helpers import ROOT, apart

CHECKED = SpecifierSet(">=1.67,<1.68")  # Streamlit versions pages/__init__.py was checked with


def test_streamlit_is_a_version_the_hook_was_checked_with():
    assert Version(streamlit.__version__) in CHECKED, "check pages/__init__.py, then widen"
    line = next(line for line in (ROOT / "requirements.txt").read_text().splitlines()
                if line.startswith("streamlit"))
    assert SpecifierSet(line.split("#")[0].strip().removeprefix("streamlit")) == CHECKED


def test_streamlit_still_decides_the_mode_per_run_from_the_class_flag():
    from streamlit.commands import navigation
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner

    assert "uses_pages_directory" in vars(PagesManager)  # one flag for every session
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner.ScriptRunner)
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation.navigation)


def test_a_link_to_a_page_opened_first_on_a_fresh_server_gets_the_app(tmp_path):
    server, url = start_server(log=tmp_path / "streamlit.log")
    try:
        student = apart(asyncio.run, open_link(url, "functional_api"))
    finally:
        stop_server(server)
    assert student.errors == []
    assert student.in_app  # the app's menu, not one made from the files of pages/
    assert "common" not in {page.url_pathname for page in student.pages}


def test_no_page_relies_on_streamlit_magic():
    # .streamlit/config.toml turns magic off (see core/serving.py): a bare expression on a page
    # would silently draw nothing. Docstrings are the only bare expressions allowed.
    for path in [*sorted((ROOT / "pages").glob("*.py")), ROOT / "streamlit_app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            body = getattr(node, "body", None)
            for i, statement in enumerate(body if isinstance(body, list) else []):
                docstring = i == 0 and isinstance(getattr(statement, "value", None), ast.Constant)
                bare = isinstance(statement, ast.Expr) and not isinstance(
                    statement.value, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))
                assert not bare or docstring, f"{Path(path).name}:{statement.lineno}"
