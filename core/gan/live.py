"""A GAN you train live in 2-D, after GAN Lab: tiny generator and discriminator networks learn a
cloud of points (a ring, two moons, a spiral, eight blobs, or points the student places).

The networks are trained by `model.GAN`, the same `train_step` as the DCGAN, one batch at a
time, so that a page can stream what happens: the real and the generated points, the
discriminator's decision field (its probability "real" over the plane) and both losses. A
`LiveGAN` keeps its networks between runs: new settings (learning rates, target) take effect
at the next step without rebuilding anything, and `reset` starts the networks afresh.

Building a `LiveGAN` costs the process about 12 MB that TensorFlow never gives back, even once
it is dropped and collected (its traced train step), so a server hands them out from a
`LivePool`: a student who arrives gets the networks of one who left, reset.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import keras
import numpy as np
from keras import layers

from core.gan.model import GAN
from core.i18n import N_

TARGETS = {"ring": N_("Ring"), "moons": N_("Two moons"), "spiral": N_("Spiral"),
           "blobs": N_("Eight blobs"), "drawn": N_("Your points")}
BOX = 1.5  # the plane drawn: [-BOX, BOX]²; every target lies well inside it
LATENT = 2
HIDDEN = 64
MAX_STEPS = 2_000  # one run; a few hundred take seconds
MIN_POINTS = 3  # a drawn target needs at least this many points
DRAWN_SPREAD = 0.06  # each placed point is a small Gaussian blob of this std
SHOWN = 400  # real and generated points in a frame
GRID = 36  # the decision field's resolution (GRID × GRID)
RADIUS = 0.12  # a generated point "lands on" the target within this distance
CONVERGED = 0.8  # … and a run has converged when both shares reach this


@dataclass(frozen=True)
class Settings:
    target: str = "ring"
    # The discriminator learns twice as fast as the generator (a "two time-scale" rule): with
    # equal rates the two moons often wobble instead of settling (`evaluate gan --model live`).
    g_learning_rate: float = 1e-3
    d_learning_rate: float = 2e-3
    steps: int = 800
    batch_size: int = 128
    seed: int = 0


# A run that shows mode collapse: a generator that learns ten times faster than its
# discriminator, on eight separate blobs. All its points crowd into one clump that hops from
# blob to blob, each time to wherever the discriminator is still fooled.
COLLAPSE = Settings(target="blobs", g_learning_rate=1e-2, d_learning_rate=1e-3, seed=1)

PROBLEMS = {  # what is wrong with a run's settings; the page translates and formats them
    "no_points": N_("Place at least {n} points on the plane to give the GAN a target."),
    "steps": N_("Steps must be a whole number from 1 to {most}; {steps} is not."),
    "g_rate": N_("The generator's learning rate must be a number above 0 and at most 1; "
                 "{value} is not."),
    "d_rate": N_("The discriminator's learning rate must be a number above 0 and at most 1; "
                 "{value} is not."),
    "target": N_("Unknown target {target}."),
}


def problems(settings: Settings, points: np.ndarray | None = None) -> list[tuple[str, dict]]:
    """What prevents a run, as (PROBLEMS key, its placeholders); empty when it can start."""
    found = []
    if settings.target not in TARGETS:
        found.append(("target", {"target": settings.target}))
    if settings.target == "drawn" and (points is None or len(points) < MIN_POINTS):
        found.append(("no_points", {"n": MIN_POINTS}))
    if not (isinstance(settings.steps, int) and 1 <= settings.steps <= MAX_STEPS):
        found.append(("steps", {"most": MAX_STEPS, "steps": settings.steps}))
    for key, value in (("g_rate", settings.g_learning_rate),
                       ("d_rate", settings.d_learning_rate)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and 0 < value <= 1):
            found.append((key, {"value": value}))
    return found


def target_sample(target: str, n: int, rng: np.random.Generator,
                  points: np.ndarray | None = None) -> np.ndarray:
    """n points of a target distribution, float32 (n, 2)."""
    if target == "ring":
        angle = rng.uniform(0, 2 * np.pi, n)
        radius = 1.0 + 0.04 * rng.standard_normal(n)
        xy = np.stack([np.cos(angle), np.sin(angle)], 1) * radius[:, None]
    elif target == "blobs":
        angle = 2 * np.pi * rng.integers(0, 8, n) / 8
        xy = np.stack([np.cos(angle), np.sin(angle)], 1) + 0.05 * rng.standard_normal((n, 2))
    elif target == "moons":
        upper = rng.random(n) < 0.5
        t = rng.uniform(0, np.pi, n)
        x = np.where(upper, np.cos(t), 1 - np.cos(t))
        y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
        xy = (np.stack([x - 0.5, y - 0.25], 1) * 0.9 + 0.05 * rng.standard_normal((n, 2)))
    elif target == "spiral":
        t = np.sqrt(rng.uniform(0.04, 1, n))  # even along the arm's length
        angle = 3.5 * np.pi * t
        xy = (np.stack([np.cos(angle), np.sin(angle)], 1) * (1.15 * t)[:, None]
              + 0.03 * rng.standard_normal((n, 2)))
    elif target == "drawn":
        if points is None or len(points) == 0:
            raise ValueError("a drawn target needs points")
        chosen = np.asarray(points, np.float64)[rng.integers(0, len(points), n)]
        xy = chosen + DRAWN_SPREAD * rng.standard_normal((n, 2))
    else:
        raise ValueError(f"unknown target {target!r}")
    return xy.astype(np.float32)


def _mlp(inputs: int, outputs: int, name: str, seed: int) -> keras.Model:
    """A tiny network; its weights come from `seed` alone (no global random state: a class
    shares one server process)."""
    x = inp = keras.Input((inputs,), name="point" if name == "discriminator" else "latent")
    for i in range(2):
        x = layers.Dense(HIDDEN, kernel_initializer=keras.initializers.GlorotUniform(seed + i))(x)
        x = layers.LeakyReLU(0.2)(x)
    out = layers.Dense(outputs, kernel_initializer=keras.initializers.GlorotUniform(seed + 2),
                       name="logit" if name == "discriminator" else "xy")(x)
    return keras.Model(inp, out, name=name)


@dataclass
class Frame:
    """What the page draws at one moment: all numpy, safe to read from any thread."""

    step: int
    real: np.ndarray  # (SHOWN, 2)
    fake: np.ndarray  # (SHOWN, 2)
    field: np.ndarray  # (GRID, GRID): the discriminator's probability "real", rows = y
    d_loss: list[float] = field(default_factory=list)  # by step
    g_loss: list[float] = field(default_factory=list)


class LiveGAN:
    """One student's 2-D GAN: its networks, its target and its history."""

    def __init__(self, settings: Settings = Settings(), points: np.ndarray | None = None):
        self.gan = GAN(_mlp(LATENT, 2, "generator", 0), _mlp(2, 1, "discriminator", 0),
                       seed=settings.seed)
        self.gan.compile(keras.optimizers.Adam(settings.g_learning_rate, beta_1=0.5),
                         keras.optimizers.Adam(settings.d_learning_rate, beta_1=0.5))
        self.configure(settings, points)
        self.reset()

    def configure(self, settings: Settings, points: np.ndarray | None = None) -> None:
        """New target or learning rates, from the next step on (the networks stay)."""
        self.settings, self.points = settings, points
        self.gan.d_optimizer.learning_rate = settings.d_learning_rate
        self.gan.g_optimizer.learning_rate = settings.g_learning_rate
        self.shown_real = target_sample(settings.target, SHOWN,
                                        np.random.default_rng(1), points)

    def reset(self) -> None:
        """Fresh networks for the settings' seed (new weights in the same, already traced,
        networks), optimizers and history emptied, step 0."""
        seed = self.settings.seed
        self.gan.generator.set_weights(_mlp(LATENT, 2, "generator", 10 * seed).get_weights())
        self.gan.discriminator.set_weights(
            _mlp(2, 1, "discriminator", 10 * seed + 5).get_weights())
        self.gan.noise.state.assign([seed, 0])  # the latent noise of the train step
        for optimizer in (self.gan.d_optimizer, self.gan.g_optimizer):
            for variable in optimizer.variables:  # the step count and Adam's moments
                variable.assign(keras.ops.zeros_like(variable))
        self.configure(self.settings, self.points)  # the learning rates, zeroed above
        self.rng = np.random.default_rng(self.settings.seed)
        self.z_shown = self.rng.standard_normal((SHOWN, LATENT)).astype(np.float32)
        self.step, self.d_loss, self.g_loss = 0, [], []
        self.frame = self.snapshot()

    def train(self, steps: int, every: int = 10,
              report: Callable[[int, Frame], None] | None = None,
              check: Callable[[], None] | None = None) -> Frame:
        """`steps` steps of the game; every `every` steps a new frame goes to `report(done,
        frame)`. `check()`, called before each step, and `report` may raise to stop: the
        networks keep what they learned so far."""
        for done in range(1, steps + 1):
            if check is not None:
                check()
            real = target_sample(self.settings.target, self.settings.batch_size, self.rng,
                                 self.points)
            logs = self.gan.train_on_batch(real, return_dict=True)
            self.step += 1
            self.d_loss.append(float(logs["d_loss"]))
            self.g_loss.append(float(logs["g_loss"]))
            if done == steps or done % every == 0:
                self.frame = self.snapshot()
                if report is not None:
                    report(done, self.frame)
        return self.frame

    def generated(self, n: int = SHOWN) -> np.ndarray:
        z = self.z_shown if n == SHOWN else np.random.default_rng(5).standard_normal(
            (n, LATENT)).astype(np.float32)
        return keras.ops.convert_to_numpy(self.gan.generator(z, training=False))

    def snapshot(self) -> Frame:
        """The current frame (the networks as they are now)."""
        axis = np.linspace(-BOX, BOX, GRID, dtype=np.float32)
        grid = np.stack(np.meshgrid(axis, axis), -1).reshape(-1, 2)
        logits = keras.ops.convert_to_numpy(self.gan.discriminator(grid, training=False))
        probs = 1 / (1 + np.exp(-np.clip(logits[:, 0], -30, 30)))
        return Frame(self.step, self.shown_real, self.generated(), probs.reshape(GRID, GRID),
                     list(self.d_loss), list(self.g_loss))


class Lease:
    """A student's hold on one LiveGAN, `gan`. When the lease is gone (the student's session
    ended), the networks go back to their pool."""

    def __init__(self, gan: LiveGAN):
        self.gan = gan


class LivePool:
    """LiveGANs for a whole server, reused rather than rebuilt (see the module's docstring)."""

    def __init__(self):
        self._free: list[LiveGAN] = []
        self._lock = threading.Lock()

    def lease(self, settings: Settings = Settings(), points: np.ndarray | None = None) -> Lease:
        """Networks for one student: a free LiveGAN, reset for these settings, or a new one."""
        with self._lock:
            gan = self._free.pop() if self._free else None
        if gan is None:
            gan = LiveGAN(settings, points)
        else:
            gan.configure(settings, points)
            gan.reset()
        lease = Lease(gan)
        weakref.finalize(lease, self._give_back, gan)
        return lease

    @property
    def free(self) -> int:
        return len(self._free)

    def _give_back(self, gan: LiveGAN) -> None:
        with self._lock:
            self._free.append(gan)


def landing(fake: np.ndarray, real: np.ndarray, radius: float = RADIUS) -> tuple[float, float]:
    """(share of generated points within `radius` of a real one, share of real points within
    `radius` of a generated one): on target, and covering all of it."""
    sq = ((fake[:, None, :] - real[None, :, :]) ** 2).sum(-1)
    return (float(np.mean(sq.min(1) < radius ** 2)), float(np.mean(sq.min(0) < radius ** 2)))


def blobs_covered(points: np.ndarray, least: float = 0.03) -> int:
    """How many of the eight blobs hold at least `least` of the points (within 0.2 of the
    blob's centre): 8 for a generator that covers them all, 1 or 2 under mode collapse."""
    angle = 2 * np.pi * np.arange(8) / 8
    centres = np.stack([np.cos(angle), np.sin(angle)], 1)
    sq = ((points[:, None, :] - centres[None]) ** 2).sum(-1)
    near, which = sq.min(1) < 0.2 ** 2, sq.argmin(1)
    return int(sum(np.mean(near & (which == i)) >= least for i in range(8)))


def converged(gan: LiveGAN, n: int = 1_000) -> bool:
    """Whether the generator's points lie on the target and cover it (both shares ≥ CONVERGED)."""
    real = target_sample(gan.settings.target, n, np.random.default_rng(3), gan.points)
    on_target, covered = landing(gan.generated(n), real)
    return on_target >= CONVERGED and covered >= CONVERGED


def convergence(targets: tuple[str, ...], seeds, settings: Settings = Settings()) -> dict:
    """For each target: how many of the seeds converge from `settings`, and the seconds a run
    takes (median). One LiveGAN serves every run (its train step is traced once)."""
    import statistics
    import time
    from dataclasses import replace

    gan, found = LiveGAN(settings), {}
    for target in targets:
        results, seconds = [], []
        for seed in seeds:
            gan.configure(replace(settings, target=target, seed=seed))
            gan.reset()
            start = time.perf_counter()
            gan.train(settings.steps)
            seconds.append(time.perf_counter() - start)
            results.append(converged(gan))
        found[target] = {"converged": sum(results), "seeds": len(results),
                         "run_seconds": round(statistics.median(seconds), 2)}
    shared = {k: v for k, v in asdict(settings).items() if k not in ("target", "seed")}
    return {"settings": shared, **found}
