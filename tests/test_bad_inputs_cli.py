"""The bad-input corpus against every command of `python -m core`, run in-process through
`core.cli.main`: a bad argument or file ends in one line on stderr naming the problem and exit
code 2, never a traceback; an odd but valid input works and the last stdout line is strict JSON
(no NaN: a metric that cannot be computed is null, with a note)."""

import json

import pytest

from core.cli import main
from tests import bad_inputs


def run(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:  # argparse's exit after a bad argument
        code = stop.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def refused(argv, capsys, phrase: str) -> None:
    code, out, err = run(argv, capsys)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, (code, out, err)
    assert len(lines) == 1, err
    assert phrase.lower() in lines[0].lower(), lines[0]


def strict_json(out: str) -> dict:
    def no_constants(name):
        raise AssertionError(f"{name} is not JSON")
    return json.loads(out.strip().splitlines()[-1], parse_constant=no_constants)


@pytest.fixture
def places(tmp_path):
    image = tmp_path / "photo.png"
    image.write_bytes(bad_inputs._encode(bad_inputs._digit("RGB")))
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("not a folder")
    return {"img": image, "dir": tmp_path, "missing": tmp_path / "no" / "such.txt",
            "file": a_file}


@pytest.mark.parametrize("case", bad_inputs.argument_cases(), ids=str)
def test_bad_arguments(case, places, capsys):
    refused([a.format(**places) for a in case.data], capsys, case.expect)


def _write(tmp_path, case, name: str):
    path = tmp_path / name
    path.write_bytes(case.data)
    return path


AIR = ["evaluate", "air-quality", "--model", "all", "--data"]


@pytest.mark.parametrize("case", bad_inputs.csv_cases(), ids=str)
def test_evaluate_air_quality(case, tmp_path, capsys):
    argv = AIR + [_write(tmp_path, case, "air.csv")]
    if case.kind == "csv":
        refused(argv, capsys, case.expect)
        return
    code, out, err = run(argv, capsys)
    assert code == 0, err
    result = strict_json(out)
    if case.kind == "csv metric":
        assert result["r2"] is None and "r2" in result["not_computed"]
        assert "r2 cannot be computed" in err
    else:
        assert all(isinstance(result[k], float) for k in ("rmse", "mae", "r2"))


AUTOENCODER = ["evaluate", "autoencoder", "--dataset", "mnist", "--model", "conv", "--images"]


@pytest.mark.parametrize("case", bad_inputs.idx_cases(), ids=str)
def test_evaluate_autoencoder(case, tmp_path, capsys):
    argv = AUTOENCODER + [_write(tmp_path, case, "images-idx3-ubyte")]
    if case.expect:
        refused(argv, capsys, case.expect)
    else:
        code, out, err = run(argv, capsys)
        assert code == 0, err
        assert strict_json(out)["images"] == 3


@pytest.mark.parametrize("model", ["memn2n", "book"])
@pytest.mark.parametrize("case", bad_inputs.babi_file_cases(), ids=str)
def test_evaluate_babi(case, model, tmp_path, capsys):
    argv = ["evaluate", "babi", "--task", "1", "--model", model,
            "--data", _write(tmp_path, case, "qa.txt")]
    if case.expect:
        refused(argv, capsys, case.expect)
    else:
        code, out, err = run(argv, capsys)
        assert code == 0, err
        result = strict_json(out)
        assert result["questions"] > 0 and 0 <= result["accuracy"] <= 1


DREAM = ["--size", "32", "--octaves", "1", "--steps", "2"]


@pytest.mark.parametrize("case", bad_inputs.image_cases(), ids=str)
def test_dream(case, tmp_path, capsys):
    out_path = tmp_path / "new folder" / "dream.png"  # a folder that does not exist yet
    argv = ["dream", _write(tmp_path, case, "in.img"), out_path, *DREAM]
    if case.expect:
        refused(argv, capsys, case.expect)
        return
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert strict_json(out)["output"] == str(out_path)
    from PIL import Image

    with Image.open(out_path) as dreamed:
        assert max(dreamed.convert("L").getextrema()) > 0  # not an all-black picture


@pytest.mark.parametrize("case", bad_inputs.image_cases(), ids=str)
def test_stylize(case, tmp_path, capsys):
    from PIL import Image

    from core.images import open_image
    from core.style import pictures

    out_path = tmp_path / "new folder" / "styled.png"
    argv = ["stylize", _write(tmp_path, case, "in.img"), pictures.path_of("shards"), out_path,
            "--size", "32", "--steps", "1"]
    if case.expect:
        refused(argv, capsys, case.expect)
        return
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert strict_json(out)["output"] == str(out_path)
    with Image.open(out_path) as styled:
        assert styled.size == open_image(case.data).size  # the photo's size, as it is seen
