"""Unit tests for core.customizing: Lambda distance, keras.ops table, LRN layer, initializer lab."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pandas as pd
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


def window_mean(squares: np.ndarray, size: int) -> np.ndarray:
    """The mean over a size×size window of each pixel (B, H, W, C), counting only the cells
    inside the image, with the extra cell of an even window after the pixel: how 'same'
    average pooling works in Keras (and in the book's `K.pool2d`)."""
    _, height, width, _ = squares.shape
    before, after = (size - 1) // 2, size // 2
    out = np.empty_like(squares)
    for i in range(height):
        rows = slice(max(i - before, 0), min(i + after + 1, height))
        for j in range(width):
            cols = slice(max(j - before, 0), min(j + after + 1, width))
            out[:, i, j] = squares[:, rows, cols].mean(axis=(1, 2))
    return out


def book_lrn(x, n, alpha, beta, k):
    """The Japanese edition's layer (ch07/custom_layer_normalize.py), written out in NumPy:
    x / (k + alpha · pool2d(x², (n, n), 'same', 'avg')) ** beta, channel by channel."""
    return x / (k + alpha * window_mean(x ** 2, n)) ** beta


def english_edition_lrn(x, n, alpha, beta, k):
    """The English edition's layer (Chapter07/tf-keras-func.py), channels last: the (n//2)²
    average pool of x², summed over channels, times alpha / n."""
    summed = window_mean(x ** 2, n // 2).sum(axis=-1, keepdims=True)
    return x / (k + alpha / n * summed) ** beta


def alexnet_lrn(x, n, alpha, beta, k):
    """Krizhevsky et al. 2012, section 3.3: b_i = a_i / (k + alpha · Σ_j a_j²) ** beta, j over
    the channels max(0, i - n/2) … min(C - 1, i + n/2) at the same pixel."""
    channels = x.shape[-1]
    energy = np.stack([(x[..., max(0, i - n // 2):min(channels, i + n // 2 + 1)] ** 2).sum(-1)
                       for i in range(channels)], axis=-1)
    return x / (k + alpha * energy) ** beta


REFERENCES = {"book": book_lrn, "english": english_edition_lrn, "alexnet": alexnet_lrn}
SETTINGS = [(5, 0.0005, 0.75, 2.0), (3, 0.01, 0.5, 1.0), (7, 0.002, 1.0, 0.5)]


def random_activations(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(scale=20, size=(2, 9, 11, 6))


@pytest.mark.parametrize("variant", list(lrn.VARIANTS))
@pytest.mark.parametrize(("n", "alpha", "beta", "k"), SETTINGS)
def test_each_lrn_layer_computes_its_formula(variant, n, alpha, beta, k):
    x = random_activations(n)
    layer = lrn.VARIANTS[variant].layer(n, alpha, beta, k)
    got = keras.ops.convert_to_numpy(layer(x.astype("float32")))
    np.testing.assert_allclose(got, REFERENCES[variant](x, n, alpha, beta, k), rtol=2e-5,
                               atol=1e-6)


def test_the_books_layer_never_mixes_channels():
    """Within-channel: changing one channel leaves every other channel's output as it was;
    the English edition's variant and AlexNet's do mix them."""
    x = random_activations()
    louder = x.copy()
    louder[..., 2] *= 10
    for variant, mixes in (("book", False), ("english", True), ("alexnet", True)):
        layer = lrn.VARIANTS[variant].layer(5, 0.01, 0.75, 2.0)
        a, b = (keras.ops.convert_to_numpy(layer(v.astype("float32"))) for v in (x, louder))
        others = [c for c in range(x.shape[-1]) if c != 2]
        assert np.allclose(a[..., others], b[..., others]) is not mixes, variant


def test_alexnets_lrn_is_what_tensorflow_computes():
    import tensorflow as tf

    x = random_activations().astype("float32")
    for n in (3, 5, 7):
        ours = lrn.AcrossChannelLRN(n, alpha=1e-4, beta=0.75, k=2.0)(x)
        theirs = tf.nn.local_response_normalization(x, depth_radius=n // 2, bias=2.0,
                                                    alpha=1e-4, beta=0.75)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(ours), theirs.numpy(),
                                   rtol=1e-5)


PORTABLE = """
import json, sys
import numpy as np
import keras
from core.customizing import lrn
x = np.random.default_rng(0).normal(scale=20, size=(2, 9, 11, 6)).astype("float32")
out = {v: keras.ops.convert_to_numpy(lrn.VARIANTS[v].layer(5, 0.01, 0.75, 2.0)(x)).tolist()
       for v in lrn.VARIANTS}
print(json.dumps({"backend": keras.backend.backend(), "out": out}))
"""


def test_the_lrn_layers_run_on_another_backend():
    """Written with keras.ops only: the same layers give the same numbers on JAX."""
    pytest.importorskip("jax")
    done = subprocess.run([sys.executable, "-c", PORTABLE], capture_output=True, text=True,
                          env={**os.environ, "KERAS_BACKEND": "jax"}, timeout=300,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["backend"] == "jax"
    x = random_activations()
    for variant, values in report["out"].items():
        np.testing.assert_allclose(np.array(values), REFERENCES[variant](x, 5, 0.01, 0.75, 2.0),
                                   rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("variant", list(lrn.VARIANTS))
def test_lrn_survives_a_safe_mode_save_and_load(tmp_path, variant):
    inputs = keras.Input(shape=(8, 8, 3))
    kind = lrn.VARIANTS[variant].layer
    outputs = kind(n=3, alpha=0.01, beta=0.6, k=1.5, name="lrn")(inputs)
    model = keras.Model(inputs, outputs)
    path = tmp_path / "lrn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe mode: no code is loaded from the file
    layer = loaded.get_layer("lrn")
    assert type(layer) is kind
    assert (layer.n, layer.alpha, layer.beta, layer.k) == (3, 0.01, 0.6, 1.5)
    x = np.random.default_rng(0).uniform(0, 255, size=(1, 8, 8, 3)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(x)),
                                  keras.ops.convert_to_numpy(loaded(x)))


@pytest.mark.parametrize("variant", list(lrn.VARIANTS))
def test_lrn_demo_round_trip_and_feature_maps(variant):
    model = lrn.build_demo_model(variant, n=5, alpha=0.001)
    image = lrn.sample_image(48)
    trip = lrn.save_and_load(model, image)
    assert trip.max_difference == 0 and trip.config["alpha"] == 0.001
    assert trip.layer_type.endswith(lrn.VARIANTS[variant].layer.__name__)
    maps = lrn.feature_maps(model, image)
    shape = (48, 48, len(lrn.FILTERS))
    assert maps.before.shape == maps.after.shape == maps.divisor.shape == shape
    assert (maps.before >= 0).all()  # ReLU
    np.testing.assert_allclose(maps.after, maps.before / maps.divisor, rtol=1e-5)
    assert maps.divisor.min() >= 2.0 ** 0.75 - 1e-6  # k ** beta where nothing is active
    strip = lrn.side_by_side(maps.before[..., 0], maps.divisor[..., 0], maps.after[..., 0])
    assert strip.dtype == np.uint8 and strip.shape == (48, 3 * 48 + 2 * 4)


def test_lrn_rejects_impossible_settings():
    with pytest.raises(ValueError, match="n must be"):
        lrn.LocalResponseNormalization(n=0)
    with pytest.raises(ValueError, match="k > 0"):
        lrn.LocalResponseNormalization(k=0)
    with pytest.raises(ValueError, match="2 or more"):
        lrn.ChannelSumLRN(n=1)  # its window is n // 2 pixels wide
    with pytest.raises(ValueError, match="odd"):
        lrn.AcrossChannelLRN(n=4)


SMALL = ini.Settings(depth=3, width=16, steps=20, batch_size=32, log_every=5, probe_size=128)


@pytest.fixture(scope="module")
def synthetic():
    return ini.synthetic_digits(n=600, seed=1)


def test_zeros_gives_no_gradient_to_any_kernel_so_only_the_output_biases_move(synthetic):
    """What the page says of all-zero kernels: every hidden unit outputs 0, no gradient reaches
    any kernel, and the net ends up predicting one class for every image."""
    x, y = synthetic
    order = np.random.default_rng(SMALL.seed).permutation(len(x))  # run_initializer's split
    y_val = y[order[:int(len(x) * SMALL.validation_share)]]
    shares = {float(np.mean(y_val == c)) for c in range(10)}
    for activation in ini.ACTIVATIONS:
        settings = ini.Settings(**{**SMALL.__dict__, "activation": activation})
        result = ini.run_initializer(x, y, "zeros", settings)
        stats = result.layer_stats
        assert (stats.query("kind == 'activation' and depth > 1")["std"] == 0).all()
        assert (stats.query("kind == 'gradient'")["std"] == 0).all()  # the output's too
        assert len(stats.query("kind == 'gradient'")) == SMALL.depth + 1
        assert not result.summary["diverged"].item()
        accuracy = result.summary["val_accuracy"].item()
        assert any(accuracy == pytest.approx(share) for share in shares)  # one class for all
        assert view.flat_initializers(result) == ["zeros"]  # what the log axes cannot show


@pytest.fixture(scope="module")
def every_initializer(synthetic):
    """Every initializer at initialization (a few steps only), relu and tanh, 5 layers."""
    return {activation: ini.run_experiment(*synthetic, list(ini.CHOICES), ini.Settings(
        activation=activation, depth=5, steps=2, log_every=1, probe_size=256))
        for activation in ini.ACTIVATIONS}


def test_theory_predicts_how_relu_activations_grow_layer_by_layer(every_initializer):
    """He et al. (2015): with relu the spread is multiplied by sqrt(fan_in · Var(W) / 2) per
    layer, so he_normal keeps it steady and glorot_uniform shrinks it by about sqrt(1/2)."""
    growth = view.growth_per_layer(every_initializer["relu"]).set_index("initializer")
    assert "zeros" not in growth.index  # no spread to compare
    assert len(growth) == len(ini.CHOICES) - 1
    ratio = growth["measured"] / growth["predicted"]
    assert ratio.between(0.8, 1.25).all(), ratio
    assert growth.loc["he_normal", "predicted"] == pytest.approx(1.0, abs=0.05)
    assert growth.loc["glorot_uniform", "predicted"] == pytest.approx(0.5 ** 0.5, abs=0.03)
    assert growth.loc["random_normal (stddev 1)", "measured"] > 4  # explodes
    assert growth.loc["random_uniform (±0.05)", "measured"] < 0.25  # vanishes


def test_the_tanh_prediction_holds_only_while_the_weights_are_small(every_initializer):
    """Glorot & Bengio's linear regime: tanh(z) ≈ z for small z. Large weights saturate tanh at
    ±1, so the measured factor stays near 1 where the formula predicts ×8."""
    growth = view.growth_per_layer(every_initializer["tanh"]).set_index("initializer")
    ratio = growth["measured"] / growth["predicted"]
    for small in ("random_normal (stddev 0.05)", "random_uniform (±0.05)"):
        assert ratio[small] == pytest.approx(1.0, abs=0.1)
    big = growth.loc["random_normal (stddev 1)"]
    assert big["predicted"] > 5 and big["measured"] < 1.1


def test_the_growth_chart_shows_both_sources_per_initializer(every_initializer):
    growth = view.growth_per_layer(every_initializer["relu"])
    spec = view.growth_chart(growth).to_dict()
    rows = next(rows for rows in spec["datasets"].values() if "initializer" in rows[0])
    assert len(rows) == 2 * len(growth)
    assert {r["source"] for r in rows} == {"measured at initialization", "predicted by theory"}


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
            self.reports.append((fraction, text, preview))

    job = Job()
    result = view.experiment_work(("zeros", "he_normal"), "relu", 2, 10, *synthetic)(job)
    assert job.reports == [(0.0, "", ("zeros", 1, 2)), (0.5, "", ("he_normal", 2, 2))]
    assert list(result.summary["initializer"]) == ["zeros", "he_normal"]


def test_the_largest_gap_counts_a_ratio_either_way():
    growth = pd.DataFrame({"initializer": ["a", "b", "c"], "measured": [1.0, 0.5, 3.0],
                           "predicted": [1.1, 1.0, 3.3]})
    assert view.largest_gap(growth)["initializer"] == "b"  # ×0.5 is further off than ×1.1


def test_relative_difference_is_safe_at_zero():
    assert distance.relative_difference(1.5, 1.0) == pytest.approx(0.5)
    assert distance.relative_difference(0.0, 0.0) == 0.0
