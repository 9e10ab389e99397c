"""The live 2-D GAN: targets, settings checks, a fixed seed that moves toward the target, and
a reset that starts over exactly."""

import numpy as np
import pytest

from core.gan import live


@pytest.mark.parametrize("target", [t for t in live.TARGETS if t != "drawn"])
def test_targets_lie_inside_the_plane(target):
    points = live.target_sample(target, 500, np.random.default_rng(0))
    assert points.shape == (500, 2) and points.dtype == np.float32
    assert np.abs(points).max() < live.BOX


def test_a_drawn_target_is_a_cloud_around_each_point():
    placed = np.array([[0.5, 0.5], [-0.5, 0.0]])
    points = live.target_sample("drawn", 400, np.random.default_rng(0), placed)
    nearest = np.min(np.linalg.norm(points[:, None] - placed[None], axis=2), axis=1)
    assert nearest.max() < 6 * live.DRAWN_SPREAD
    with pytest.raises(ValueError):
        live.target_sample("drawn", 10, np.random.default_rng(0), np.zeros((0, 2)))


@pytest.mark.parametrize("changes, problem", [
    ({"target": "drawn"}, "no_points"),
    ({"steps": 10 ** 9}, "steps"),
    ({"steps": 0}, "steps"),
    ({"g_learning_rate": float("nan")}, "g_rate"),
    ({"d_learning_rate": float("inf")}, "d_rate"),
    ({"d_learning_rate": 0.0}, "d_rate"),
    ({"g_learning_rate": 5.0}, "g_rate"),
    ({"target": "square"}, "target"),
])
def test_bad_settings_are_named(changes, problem):
    from dataclasses import replace

    found = live.problems(replace(live.Settings(), **changes), np.zeros((0, 2)))
    assert [key for key, __ in found] == [problem]
    from core.i18n import _
    assert _(live.PROBLEMS[problem], **found[0][1])  # the message formats with its values


def test_good_settings_have_no_problems():
    assert live.problems(live.Settings()) == []
    assert live.problems(live.Settings(target="drawn"), np.zeros((3, 2))) == []


def test_the_generator_moves_toward_the_ring_on_a_fixed_seed():
    gan = live.LiveGAN(live.Settings(target="ring", seed=0))
    real = live.target_sample("ring", 1000, np.random.default_rng(3))

    def off_ring(points):
        return float(np.mean(np.abs(np.linalg.norm(points, axis=1) - 1.0)))

    before = off_ring(gan.generated(1000))
    frames = []
    gan.train(300, every=100, report=lambda done, frame: frames.append(done))
    assert frames == [100, 200, 300] and gan.step == 300 and len(gan.d_loss) == 300
    assert off_ring(gan.generated(1000)) < 0.5 * before
    on_target, covered = live.landing(gan.generated(1000), real)
    assert on_target > 0.3 and covered > 0.5


def test_reset_starts_over_exactly():
    gan = live.LiveGAN(live.Settings(seed=4))
    first = gan.snapshot()
    gan.train(20)
    after = gan.generated()
    gan.reset()
    assert gan.step == 0 and gan.d_loss == []
    np.testing.assert_allclose(gan.snapshot().fake, first.fake, atol=1e-6)
    gan.train(20)
    np.testing.assert_allclose(gan.generated(), after, atol=1e-5)


def test_a_stopped_run_keeps_what_it_learned():
    gan = live.LiveGAN()

    def stop(done, frame):
        if done == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gan.train(100, every=5, report=stop)
    assert gan.step == 10 and gan.frame.step == 10


def test_the_bad_learning_rate_pair_collapses_where_the_defaults_cover_every_blob():
    from dataclasses import replace

    collapsed = live.LiveGAN(live.COLLAPSE)
    collapsed.train(400)
    healthy = live.LiveGAN(replace(live.Settings(), target="blobs", seed=live.COLLAPSE.seed))
    healthy.train(400)
    assert live.blobs_covered(collapsed.generated(1000)) <= 2
    assert live.blobs_covered(healthy.generated(1000)) == 8


def test_a_pool_hands_a_departed_students_networks_to_the_next_one_reset():
    import gc

    pool = live.LivePool()
    first = pool.lease(live.Settings(seed=1))
    networks = first.gan
    networks.train(3)
    second = pool.lease(live.Settings(seed=1))
    assert second.gan is not networks  # a lease held is never handed out twice
    del first
    gc.collect()
    assert pool.free == 1
    third = pool.lease(live.Settings(target="moons", seed=1))
    assert third.gan is networks and pool.free == 0
    assert networks.step == 0 and networks.d_loss == [] and networks.settings.target == "moons"
    fresh = live.LiveGAN(live.Settings(target="moons", seed=1))  # reset means as new
    np.testing.assert_allclose(networks.frame.fake, fresh.frame.fake, atol=1e-6)
