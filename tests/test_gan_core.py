"""The GAN topic's core: the DCGAN's train step, shapes, the judge's figures, the data split,
the training story, `generate`, and the shipped generator against its card (with the data)."""

import json

import keras
import numpy as np
import pytest

from core.gan import data, metrics, model, sampling, training


def _weights(net) -> list[np.ndarray]:
    return [w.copy() for w in net.get_weights()]


def _changed(before, after) -> bool:
    return any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_one_train_step_on_a_tiny_batch_changes_both_networks():
    gen, disc, average = model.generator(), model.discriminator(), model.generator()
    gan = model.GAN(gen, disc, seed=1, average=average)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    g0, d0, a0 = _weights(gen), _weights(disc), _weights(average)
    assert not _changed(g0, a0)  # the average starts as the generator
    real = np.random.default_rng(0).uniform(-1, 1, (8, *model.SHAPE)).astype("float32")
    logs = gan.train_on_batch(real, return_dict=True)
    assert _changed(g0, _weights(gen)) and _changed(d0, _weights(disc))
    assert _changed(a0, _weights(average))
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(np.isfinite(v) for v in logs.values())


def test_a_conditional_step_uses_the_digits_and_changes_both_networks():
    gen, disc = model.generator(conditional=True), model.discriminator(conditional=True)
    gan = model.GAN(gen, disc, seed=2)
    gan.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    assert gan.conditional
    g0, d0 = _weights(gen), _weights(disc)
    real = np.random.default_rng(0).uniform(-1, 1, (8, *model.SHAPE)).astype("float32")
    digits = np.arange(8, dtype="int32")[:, None]
    gan.train_on_batch(real, digits)
    assert _changed(g0, _weights(gen)) and _changed(d0, _weights(disc))
    sampler = sampling.Sampler(gen)
    threes = sampler.for_seed(4, 0, digit=3)
    assert threes.shape == (4, 28, 28) and sampler.conditional
    assert not np.array_equal(threes, sampler.for_seed(4, 0, digit=8))  # the digit matters


def test_shapes_and_ranges():
    gen, disc = model.generator(), model.discriminator()
    z = sampling.latents(5, 0, model.LATENT)
    images = keras.ops.convert_to_numpy(gen(z))
    assert images.shape == (5, 28, 28, 1) and images.min() >= -1 and images.max() <= 1
    assert disc(images).shape == (5, 1)
    digits = sampling.Sampler(gen).digits(z)
    assert digits.shape == (5, 28, 28) and digits.dtype == np.uint8
    assert np.array_equal(sampling.latents(5, 0, 64), z)  # the same seed, the same points


def test_slerp_runs_from_a_to_b_along_the_sphere():
    a, b = sampling.latents(2, 3, 64)
    path = sampling.slerp(a, b, 7)
    assert path.shape == (7, 64)
    np.testing.assert_allclose(path[0], a, atol=1e-5)
    np.testing.assert_allclose(path[-1], b, atol=1e-5)
    norms = np.linalg.norm(path, axis=1)  # no dip through the low-norm middle
    assert norms.min() > 0.9 * min(np.linalg.norm(a), np.linalg.norm(b))


def test_pixel_conversions_round_trip():
    digits = np.random.default_rng(0).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    tanh = data.to_tanh(digits)
    assert tanh.shape == (4, 28, 28, 1) and tanh.min() >= -1 and tanh.max() <= 1
    assert np.array_equal(data.to_uint8(tanh), digits)


def test_the_three_parts_are_disjoint_and_sized():
    images = np.arange(5000, dtype=np.uint32)[:, None, None] * np.ones((1, 28, 28), np.uint32)
    labels = np.arange(5000) % 10
    parts = data.split(images, labels, source=None)
    ids = [set(p[:, 0, 0].tolist()) for p in (parts.x_gan, parts.x_classifier, parts.x_val)]
    assert [len(i) for i in ids] == [3500, 1000, 500]
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    from core.autoencoder.data import SPLIT_SEED  # the Autoencoders page's validation digits
    order = np.random.default_rng(SPLIT_SEED).permutation(5000)
    assert ids[2] == set(order[:500].tolist())


def test_frechet_is_zero_for_the_same_set_and_grows_with_a_shift():
    feats = np.random.default_rng(0).standard_normal((400, 8))
    assert metrics.frechet(feats, feats) == pytest.approx(0, abs=1e-6)
    assert metrics.frechet(feats, feats + 1.0) == pytest.approx(8.0, rel=1e-3)


def test_nearest_distances_find_the_closest_image():
    reference = np.zeros((3, 28, 28), np.uint8)
    reference[1, :14] = 255
    reference[2] = 255
    query = reference[[2, 1]].copy()
    query[0, 0, 0] = 0
    distances, index = metrics.nearest_distances(query, reference)
    assert index.tolist() == [2, 1]
    assert distances[1] == 0 and 0 < distances[0] < 0.05


def test_judge_figures_and_targets():
    probs = np.eye(10)[np.arange(100) % 10] * 0.95 + 0.005
    assert metrics.class_shares(probs) == pytest.approx([0.1] * 10)
    figures = {"confident_share": 0.9, "class_share_min": 0.06, "class_share_max": 0.14,
               "copy_share": 0.01}
    assert all(metrics.meets(figures).values())
    assert not metrics.meets({**figures, "class_share_max": 0.5})["class_share_max"]


def test_story_png_round_trip(tmp_path):
    rows = np.random.default_rng(0).integers(0, 256, (3, 5, 28, 28), dtype=np.uint8)
    training.write_story(tmp_path / "story.png", rows)
    assert np.array_equal(training.read_story(tmp_path / "story.png"), rows)


@pytest.mark.parametrize("kind", training.KINDS)
def test_the_shipped_story_has_a_row_per_recorded_epoch(kind):
    card = training.load_shipped(kind)[1]
    rows = training.read_story(training.story_path(kind))
    assert rows.shape == (len(card.story_epochs), training.STORY_POINTS, 28, 28)
    assert card.story_epochs == list(training.STORY_EPOCHS)
    assert len(card.history["d_loss"]) == len(card.history["g_loss"]) == card.training["epochs"]


def test_generate_writes_what_it_says(tmp_path, capsys):
    from core.cli import main

    out = tmp_path / "more" / "digits.npy"
    assert main(["generate", "gan", "--n", "7", "--seed", "3", "--out", str(out)]) == 0
    said = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    digits = np.load(out, allow_pickle=False)
    assert said["shape"] == [7, 28, 28] == list(digits.shape) and said["dtype"] == "uint8"
    assert digits.dtype == np.uint8 and said["seed"] == 3
    assert digits[:, :3].mean() < 40  # white digit on black: dark borders, like MNIST
    again = tmp_path / "again.npy"
    assert main(["generate", "gan", "--n", "7", "--seed", "3", "--out", str(again)]) == 0
    assert np.array_equal(np.load(again), digits)


def test_generate_draws_the_digit_asked_for(tmp_path, capsys):
    from core.cli import main
    from core.gan import classifier

    out = tmp_path / "sevens.npy"
    assert main(["generate", "gan", "--model", "cgan", "--digit", "7", "--n", "40",
                 "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["digit"] == 7
    judge = classifier.load_shipped()[0]
    seen = judge.predict(data.to_tanh(np.load(out)), verbose=0).argmax(1)
    assert np.mean(seen == 7) > 0.8
    assert main(["generate", "gan", "--digit", "7", "--out", str(out)]) == 2  # DCGAN: no digit
    assert "--digit needs --model cgan" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--n", "0"], ["--n", "10000000"], ["--n", "nan"],
                                  ["--out", "digits.png"], ["--seed", "-1"], ["--digit", "10"],
                                  ["--model", "vae"]])
def test_generate_refuses_bad_arguments(tmp_path, capsys, args):
    from core.cli import main

    base = {"--n": "4", "--out": str(tmp_path / "d.npy")}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(SystemExit) as stop:
        main(["generate", "gan", *[x for kv in base.items() for x in kv]])
    assert stop.value.code == 2
    assert "error" in capsys.readouterr().err
    assert not (tmp_path / "d.npy").exists()


@pytest.mark.parametrize("kind", training.KINDS)
def test_the_shipped_generator_reaches_its_card(data_dir, kind):
    from core.gan import classifier

    parts = data.load(data_dir)
    gen, card = training.load_shipped(kind)
    judge, judge_card = classifier.load_shipped()
    assert card.classifier["sha256"] == __import__("core.datasets").datasets.sha256_of(
        classifier.PATH)
    figures, reference = training.measure(gen, parts, judge)
    names = ["confident_share", "copy_share", "class_share_min", "class_share_max"]
    for name in names + (["asked_share"] if kind == "cgan" else []):
        assert figures[name] == pytest.approx(card.validation[name], abs=0.01), name
    assert figures["frechet"] == pytest.approx(card.validation["frechet"], rel=0.05)
    assert reference["confident_share"] == pytest.approx(card.reference["confident_share"],
                                                         abs=0.01)
    probs = judge.predict(data.to_tanh(parts.x_val), verbose=0)
    assert np.mean(probs.argmax(1) == parts.y_val) == pytest.approx(
        judge_card.validation["accuracy"], abs=0.005)


def test_a_moving_average_follows_its_time_constant_behind():
    from core.gan import view

    assert view.average_lag_steps(0.999) == 1000
    # after that many steps a weight change has reached 1 - 1/e of its way into the average
    steps, decay = view.average_lag_steps(0.99), 0.99
    assert 1 - decay ** steps == pytest.approx(1 - np.exp(-1), abs=0.01)
