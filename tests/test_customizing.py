"""Unit tests for core.customizing: Lambda distance, keras.ops table, LRN layer, initializer lab."""

import json

import keras
import numpy as np
import pytest

from core.customizing import backend, distance, lrn, view
from core.customizing import initializers as ini


def test_lambda_model_equals_numpy_on_random_inputs():
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(32, 9)), rng.normal(scale=3, size=(32, 9))
    model = distance.build_distance_model(9)
    np.testing.assert_allclose(distance.model_distance(model, x, y),
                               np.sqrt(((x - y) ** 2).sum(axis=1)), rtol=1e-5)
    assert distance.model_distance(model, x[0], x[0]) == pytest.approx([0.0])


def test_lambda_model_is_refused_in_safe_mode(tmp_path):
    model = distance.build_distance_model(3)
    message = distance.safe_mode_refusal(model)
    assert message and "Lambda" in message and "safe_mode=False" in message
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="Lambda"):
        keras.saving.load_model(path)  # safe mode is the default
    # What the page claims: even trusted, the bytecode comes back without its module's names.
    trusted = keras.saving.load_model(path, safe_mode=False)
    with pytest.raises(NameError, match="euclidean_distance"):
        trusted([np.ones((1, 3)), np.zeros((1, 3))])


@pytest.mark.parametrize(("text", "problem"), [
    ("", "at least one"), ("1, two", "'two' is not a number"), ("1 nan", "finite"),
    ("1e9", "1,000,000"),
])
def test_parse_vector_explains_bad_input(text, problem):
    with pytest.raises(ValueError, match=problem):
        distance.parse_vector(text)


def test_parse_vector_reads_commas_and_spaces():
    assert distance.parse_vector(" 1, 2.5 -3 ").tolist() == [1.0, 2.5, -3.0]


def test_every_backend_equivalent_runs_and_the_math_matches_numpy():
    rows = backend.run_all()
    assert len(rows) == len(backend.EQUIVALENTS)
    assert all(book.startswith(("K.", "v = K.")) and result for book, _, result in rows)
    x, y = backend.X, backend.Y
    by_book = {e.book: e.run(x, y) for e in backend.EQUIVALENTS}
    np.testing.assert_allclose(by_book["K.dot(x, K.transpose(y))"], x @ y.T)
    np.testing.assert_allclose(by_book["K.mean(x, axis=0)"], x.mean(axis=0))
    np.testing.assert_allclose(by_book["K.gradients(K.sum(v ** 2), v)"], 2 * x)
    np.testing.assert_allclose(
        by_book["K.sqrt(K.sum(K.square(x - y), axis=1, keepdims=True))"][:, 0],
        np.linalg.norm(x - y, axis=1), rtol=1e-4)


@pytest.mark.parametrize(("n", "alpha", "beta", "k"), [
    (5, 0.0005, 0.75, 2.0), (3, 0.01, 0.5, 1.0), (1, 0.1, 1.0, 0.5), (4, 0.002, 0.75, 2.0)])
def test_lrn_matches_the_numpy_reference(n, alpha, beta, k):
    x = np.random.default_rng(n).normal(scale=20, size=(2, 9, 11, 4)).astype("float32")
    layer = lrn.LocalResponseNormalization(n, alpha, beta, k)
    got = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(got, lrn.numpy_lrn(x, n, alpha, beta, k), rtol=1e-5, atol=1e-6)


def test_lrn_survives_a_safe_mode_save_and_load(tmp_path):
    inputs = keras.Input(shape=(8, 8, 3))
    outputs = lrn.LocalResponseNormalization(n=3, alpha=0.01, beta=0.6, k=1.5, name="lrn")(inputs)
    model = keras.Model(inputs, outputs)
    path = tmp_path / "lrn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe mode: no code is loaded from the file
    layer = loaded.get_layer("lrn")
    assert isinstance(layer, lrn.LocalResponseNormalization)
    assert (layer.n, layer.alpha, layer.beta, layer.k) == (3, 0.01, 0.6, 1.5)
    x = np.random.default_rng(0).uniform(0, 255, size=(1, 8, 8, 3)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(x)),
                                  keras.ops.convert_to_numpy(loaded(x)))


def test_lrn_demo_round_trip_and_feature_maps():
    model = lrn.build_demo_model(n=5, alpha=0.001)
    image = lrn.sample_image(48)
    trip = lrn.save_and_load(model, image)
    assert trip.max_difference == 0 and trip.config["alpha"] == 0.001
    assert trip.layer_type.endswith("LocalResponseNormalization")
    maps = lrn.feature_maps(model, image)
    assert maps.before.shape == maps.after.shape == (48, 48, len(lrn.FILTERS))
    assert (maps.before >= 0).all()  # ReLU
    np.testing.assert_allclose(maps.after, maps.before / maps.divisor[..., None], rtol=1e-5)
    assert maps.divisor.min() >= 2.0 ** 0.75 - 1e-6  # k ** beta where nothing is active
    assert lrn.before_after(maps.before[..., 0], maps.after[..., 0]).dtype == np.uint8


def test_lrn_rejects_impossible_settings():
    with pytest.raises(ValueError, match="n must be"):
        lrn.LocalResponseNormalization(n=0)
    with pytest.raises(ValueError, match="k > 0"):
        lrn.LocalResponseNormalization(k=0)


SMALL = ini.Settings(depth=3, width=16, steps=20, batch_size=32, log_every=5, probe_size=128)


@pytest.fixture(scope="module")
def synthetic():
    return ini.synthetic_digits(n=600, seed=1)


def test_zeros_gives_zero_activation_variance_past_the_first_layer(synthetic):
    for activation in ini.ACTIVATIONS:
        settings = ini.Settings(**{**SMALL.__dict__, "activation": activation})
        result = ini.run_initializer(*synthetic, "zeros", settings)
        stats = result.layer_stats
        assert (stats.query("kind == 'activation' and depth > 1")["std"] == 0).all()
        assert (stats.query("kind == 'gradient' and depth <= 3")["std"] == 0).all()
        assert not result.summary["diverged"].item()
        assert view.flat_initializers(result) == ["zeros"]  # what the log axes cannot show


def test_experiment_returns_sane_tidy_statistics(synthetic):
    progress = []
    result = ini.run_experiment(*synthetic, ["glorot_uniform", "random_normal (stddev 1)"],
                                SMALL, lambda fraction, what: progress.append(fraction))
    assert progress == sorted(progress) and progress[-1] == 1.0
    stats = result.layer_stats.set_index(["initializer", "kind", "depth"])["std"]
    glorot = stats["glorot_uniform", "activation"]
    assert np.isfinite(glorot).all() and (glorot > 0).all()
    big = stats["random_normal (stddev 1)", "activation"]
    assert big.is_monotonic_increasing and big.iloc[-1] > 3 * big.iloc[0]  # explodes with depth
    assert big.iloc[0] > 10 * glorot.iloc[0]
    totals = result.histograms.groupby(["initializer", "layer", "kind"]).agg(
        share=("share", "sum"), zeros=("zero_share", "first"))
    np.testing.assert_allclose(totals["share"] + totals["zeros"], 1.0, atol=1e-9)
    curves = result.curves.query("initializer == 'glorot_uniform' and split == 'training'")
    assert curves["step"].tolist() == [0, 5, 10, 15, 20]
    assert set(result.summary["initializer"]) == {"glorot_uniform", "random_normal (stddev 1)"}
    assert result.summary.set_index("initializer").loc["glorot_uniform", "val_accuracy"] > 0


def test_unknown_or_no_initializer_is_refused(synthetic):
    with pytest.raises(ValueError, match="at least one"):
        ini.run_experiment(*synthetic, [], SMALL)
    with pytest.raises(ValueError, match="unknown initializer"):
        ini.run_initializer(*synthetic, "magic", SMALL)


def test_load_digits_reads_the_shared_csv(data_dir):
    x, y = ini.load_digits(data_dir)
    assert x.shape == (5000, 784) and x.dtype == np.float32
    assert x.min() >= 0 and x.max() == 1.0
    assert sorted(set(y.tolist())) == list(range(10))


def test_load_digits_reads_keras_mnist_npz(tmp_path):
    (tmp_path / "mnist").mkdir()
    images = np.random.default_rng(0).integers(0, 256, size=(20, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "mnist" / "mnist.npz", x_train=images, y_train=np.arange(20) % 10)
    x, y = ini.load_digits(tmp_path, limit=12)
    assert x.shape == (12, 784) and y.tolist() == list(range(10)) + [0, 1]
    np.testing.assert_allclose(x[3], images[3].ravel() / 255, rtol=1e-6)


def test_bench_prints_json(capsys):
    from core.cli import main

    assert main(["bench", "initializers", "--synthetic", "--depth", "2", "--steps", "10"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["data"] == "synthetic" and report["experiment_seconds"] > 0
    assert [row["initializer"] for row in report["initializers"]] == list(ini.DEFAULT_CHOICES)


def test_a_pair_of_vectors_needs_one_length_within_the_limit():
    assert distance.pair_problem(np.ones(3), np.ones(3)) is None
    assert distance.pair_problem(np.ones(3), np.ones(2)) == (
        "x has 3 numbers and y has 2: a distance needs two vectors of the same length.")
    long = np.ones(distance.MAX_LENGTH + 1)
    assert "64 numbers or fewer" in distance.pair_problem(long, long)


def test_the_ops_table_has_a_row_per_equivalent():
    lines = view.ops_table().splitlines()
    assert lines[0].startswith("| book (Keras 2 backend) | Keras 3 |")
    assert len(lines) == 2 + len(backend.EQUIVALENTS)
    assert "| `K.pow(x, 2)` | `ops.power(x, 2)` | `[[ 1.,  4.,  9.], [16., 25., 36.]]` |" in lines


def test_the_queued_experiment_reports_each_initializer(synthetic):
    class Job:  # what core.jobs hands to queued work
        reports = []

        def check(self):
            pass

        def report(self, fraction, text, preview=None):
            self.reports.append((fraction, text))

    job = Job()
    result = view.experiment_work(("zeros", "he_normal"), "relu", 2, 10, *synthetic)(job)
    assert job.reports == [(0.0, "zeros (1 of 2)…"), (0.5, "he_normal (2 of 2)…")]
    assert list(result.summary["initializer"]) == ["zeros", "he_normal"]
