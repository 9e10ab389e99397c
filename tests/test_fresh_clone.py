"""A fresh clone with no data, no LAB_DATA_DIR and no network: every page opens, and Deep Dream
offers an uploader and dreams on the shipped sample photo with the shipped weights.

The clone is made with `git clone` from this repository's committed HEAD (uncommitted changes
are not in it, as on a new user's machine) into a temporary folder with no ../shared beside it,
and checked in a separate interpreter started in the clone, so that nothing imported from this
checkout can stand in for a file the clone lacks.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from core.catalog import PAGES
from tests.helpers import ROOT

DREAM = "pages/deep_dream.py"


def test_a_fresh_clone_works_offline(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to clone")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=300)
    assert not (tmp_path / "shared").exists()  # no ../shared beside the clone
    env = {k: v for k, v in os.environ.items() if k not in ("LAB_DATA_DIR", "PYTHONPATH")}
    env.update(LAB_OFFLINE="1", LAB_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run([sys.executable, "-c", "from tests.test_fresh_clone import check; "
                           "check()"], cwd=clone, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["root"] == str(clone)  # the clone's code ran, not this checkout's
    assert report["pages"] == ["Home"] + [page.title for page in PAGES]
    assert report["uploader"] and report["weights"] == "assets/dream/squeezenet_v1_1.keras"
    assert report["dream_size"] == report["sample_size"]  # dreamed, back at the photo's size
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def check() -> None:
    """Run inside the clone: open every page in AppTest, then dream on the sample photo.
    Prints one JSON line; any failure raises (a non-zero exit)."""
    import io

    from PIL import Image
    from streamlit.testing.v1 import AppTest

    from core.cards import ASSETS
    from core.dream import model, view

    def start():
        at = AppTest.from_file(os.path.join(os.getcwd(), "streamlit_app.py"),
                               default_timeout=60).run()
        assert not at.exception, ("Home", at.exception)
        return at

    opened = ["Home"]
    for page in PAGES:
        at = start()
        at.switch_page(page.path).run()
        assert not at.exception, (page.title, at.exception)
        assert at.title, f"{page.title} shows no title"
        opened.append(page.title)

    at = start()
    at.switch_page(DREAM).run()
    uploader = at.file_uploader(key="dd_upload") is not None
    at.multiselect(key="dd_layers_squeezenet").set_value(["fire3_concat"])
    at.slider(key="dd_octaves").set_value(1)
    at.slider(key="dd_steps").set_value(1)
    at.select_slider(key="dd_side").set_value(64)
    at.button(key="dd_sample").click()
    at = at.run()
    assert not at.exception, ("Deep Dream", at.exception)
    from core.jobs import shared_queue  # the dream runs in the server's shared queue

    assert shared_queue().wait_idle(300), "the dream did not finish"
    at = at.run()
    [png] = at.session_state["dd_recent"].values()
    with Image.open(view.SAMPLE_PHOTO) as sample:
        sample_size = list(sample.size)
    print(json.dumps({
        "root": os.getcwd(), "pages": opened, "uploader": uploader,
        "weights": model.shipped_weights("squeezenet").relative_to(ASSETS.parent).as_posix(),
        "dream_size": list(Image.open(io.BytesIO(png)).size), "sample_size": sample_size}))
