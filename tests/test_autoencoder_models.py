"""Shipped autoencoders: each reaches its card's validation error; the evaluate command."""

import json
from dataclasses import asdict

import numpy as np
import pytest

from core import cli, mnist
from core.autoencoder import data, metrics, training
from core.datasets import DataNotFound

CARDS = sorted(training.ASSETS.glob("*.json"))


@pytest.mark.parametrize("card_path", CARDS, ids=lambda p: p.stem)
def test_shipped_model_reaches_its_card(data_dir, card_path):
    dataset, kind = card_path.stem.split("_")
    model, card = training.load_shipped(dataset, kind)
    assert (dataset, kind) == (card.dataset, card.model)
    assert training.shipped_paths(dataset, kind)[0].stat().st_size < 2_000_000
    assert not model.compiled  # shipped without the optimizer's state (twice the weights)
    assert card.training == asdict(training.shipped_recipe(dataset, kind))  # as its command
    try:
        splits = data.load(dataset, data_dir)
    except DataNotFound:
        pytest.skip(f"needs the {dataset} data")
    measured = training.measure(model, kind, data.as_float(splits.x_val))
    expected = card.validation
    assert measured["images"] == expected["images"]
    assert measured["bce"] == pytest.approx(expected["bce"], rel=0.01)
    assert measured["bce"] < 0.5  # far below a grey guess (ln 2 ≈ 0.69)


def test_mnist_conv_beats_the_bar_on_validation():
    _, card = training.load_shipped("mnist", "conv")
    assert card.validation["bce"] <= 0.080
    assert card.code_size <= 32


def test_evaluate_command_on_an_idx_file(data_dir, tmp_path, capsys):
    images = data.load("mnist", data_dir).x_val[:64]
    path = tmp_path / "few-images-idx3-ubyte.gz"
    mnist.write_idx(path, images)
    assert cli.main(["evaluate", "autoencoder", "--dataset", "mnist", "--model", "conv",
                     "--images", str(path)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) == {"dataset", "model", "images", "bce", "mse", "psnr_db"}
    assert (result["dataset"], result["model"], result["images"]) == ("mnist", "conv", 64)
    model, _ = training.load_shipped("mnist", "conv")
    x = data.as_float(images)
    expected = metrics.per_image_bce(x, model.predict(x, verbose=0)).mean()
    assert result["bce"] == pytest.approx(expected, abs=1e-4)
    assert result["psnr_db"] == pytest.approx(10 * np.log10(1 / result["mse"]), abs=0.01)


def test_evaluate_command_refuses_a_bad_file(tmp_path, capsys):
    path = tmp_path / "bad-images-idx3-ubyte.gz"
    path.write_bytes(b"not an idx file")
    assert cli.main(["evaluate", "autoencoder", "--dataset", "mnist", "--model", "conv",
                     "--images", str(path)]) == 2
    assert "not an IDX file" in capsys.readouterr().err
