"""The command line: help, refusals with one clear line, folders made for outputs, JSON last."""

import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_help_lists_the_subcommands():
    out = _cli("--help").stdout
    for command in ("fetch", "train", "evaluate", "dream", "bench"):
        assert command in out


def test_bench_startup_prints_one_json_object():
    result = _cli("bench", "startup", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures) == {"import_core_s", "import_keras_s", "load_model_s", "peak_rss_mib",
                            "repeats"} and figures["repeats"] == 1
    models = sorted((ROOT / "assets").rglob("*.keras"))
    assert set(figures["load_model_s"]) == {str(p.relative_to(ROOT / "assets")) for p in models}
    assert all(seconds > 0 for seconds in figures["load_model_s"].values())
    # Every shipped model was loaded into this process: its peak memory holds at least their
    # weights (a figure in the wrong unit, KiB or bytes, would fall below this or far above).
    weights_mib = sum(p.stat().st_size for p in models) / 2**20
    assert weights_mib < figures["peak_rss_mib"] < 64 * 1024


def test_what_a_page_imports_first_does_not_load_keras():
    # What the startup benchmark's "import_core" times: the Home page's imports, without Keras.
    from core.benchmarks.startup import IMPORTS

    code = IMPORTS["import_core"] + "; import sys; print(sorted({'keras', 'tensorflow'} & " \
        "set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- Issue 11: every argument checked by the parser, nothing to score refused, strict JSON ----

def _main(argv, capsys) -> tuple[int, str, str]:
    from core.cli import main

    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def _photo(tmp_path):
    from PIL import Image

    path = tmp_path / "photo.png"
    Image.new("RGB", (40, 30), "orange").save(path)
    return path


def test_evaluate_babi_refuses_a_file_without_questions(tmp_path, capsys):
    statements = tmp_path / "story.txt"
    statements.write_text("1 Mary went to the kitchen.\n2 John went home.\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    for data in (statements, empty):
        for model in ("memn2n", "book"):
            code, _, err = _main(["evaluate", "babi", "--task", "1", "--model", model,
                                  "--data", data], capsys)
            assert code == 2 and "no questions to score" in err


def test_evaluate_babi_refuses_a_folder(tmp_path, capsys):
    code, _, err = _main(["evaluate", "babi", "--task", "1", "--data", tmp_path], capsys)
    assert code == 2 and "is a folder, not a file" in err and len(err.splitlines()) == 1


def test_evaluate_autoencoder_refuses_zero_images(tmp_path, capsys):
    import numpy as np

    from core import mnist

    path = tmp_path / "none-idx3-ubyte"
    mnist.write_idx(path, np.zeros((0, 28, 28), np.uint8))
    code, _, err = _main(["evaluate", "autoencoder", "--dataset", "mnist", "--model", "conv",
                          "--images", path], capsys)
    assert code == 2 and "no images to evaluate" in err


def test_dream_output_folder_is_created_and_a_folder_is_refused(tmp_path, capsys):

    code, _, err = _main(["dream", _photo(tmp_path), tmp_path], capsys)
    assert code == 2 and "is a folder" in err
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    code, _, err = _main(["dream", _photo(tmp_path), blocker / "out.png"], capsys)
    assert code == 2 and "is a file" in err
    out = tmp_path / "new" / "deeper" / "out.png"
    code, stdout, err = _main(["dream", _photo(tmp_path), out, "--size", "32", "--octaves", "1",
                               "--steps", "1"], capsys)
    assert code == 0, err
    assert out.is_file() and json.loads(stdout.splitlines()[-1])["size"] == [40, 30]


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--octaves", "0", "0 is not at least 1"),
    ("--octaves", "-1", "-1 is not at least 1"),
    ("--steps", "-3", "-3 is not at least 1"),
    ("--layers", "fire5_concat:abc", "the weight in 'fire5_concat:abc': 'abc' is not a number"),
    ("--step-size", "nan", "'nan' is not a finite number"),
    ("--layers", "fire5_concat:nan",
     "the weight in 'fire5_concat:nan': 'nan' is not a finite number"),
])
def test_dream_numbers_are_checked_by_the_parser(tmp_path, capsys, flag, value, message):
    code, out, err = _main(["dream", _photo(tmp_path), tmp_path / "o.png", flag, value], capsys)
    assert code == 2 and not out
    assert err.strip() == f"python -m core dream: error: argument {flag}: {message} (see --help)"


def _air_csv(path, rows):
    header = ("Date;Time;CO(GT);PT08.S1(CO);NMHC(GT);C6H6(GT);PT08.S2(NMHC);NOx(GT);"
              "PT08.S3(NOx);NO2(GT);PT08.S4(NO2);PT08.S5(O3);T;RH;AH;;")
    lines = [f"10/03/2004;{h:02d}.00.00;2,6;{s1};150;{benzene};1046;166;1056;113;1692;1268;"
             f"13,6;48,9;0,7578;;" for h, (s1, benzene) in enumerate(rows)]
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


@pytest.mark.parametrize("reading", ["inf", "1e308", "-Infinity"])
def test_evaluate_air_quality_refuses_readings_no_sensor_gives(tmp_path, capsys, reading):
    path = _air_csv(tmp_path / "a.csv", [("1360", "11,9"), (reading, "9,4")])
    code, out, err = _main(["evaluate", "air-quality", "--model", "all", "--data", path], capsys)
    assert code == 2 and "not plausible readings" in err and reading in err and not out


def test_evaluate_air_quality_one_row_gives_null_r2_with_a_note(tmp_path, capsys):
    path = _air_csv(tmp_path / "a.csv", [("1360", "11,9")])
    code, out, err = _main(["evaluate", "air-quality", "--model", "all", "--data", path], capsys)
    assert code == 0
    result = json.loads(out.splitlines()[-1])  # strict: NaN would not even parse as JSON
    assert result["r2"] is None and result["rows"] == 1 and result["rmse"] >= 0
    assert "two rows" in result["not_computed"]["r2"]
    assert "note: r2 cannot be computed" in err
