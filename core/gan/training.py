"""Train a shipped GAN on the GAN's 3,500 digits, record its training story, measure it with
the shipped digit classifier, and write generator + story + card into assets/gan/.

Two GANs ship: "dcgan", the book's DCGAN (any digit), and "cgan", the same networks told which
digit to draw (a conditional GAN: pick the digit).

The story is recorded while training: both losses (and the discriminator's two probabilities)
by epoch, and the same STORY_POINTS latent points drawn after each epoch of STORY_EPOCHS,
shipped as one small PNG (a row per epoch) so that the page tells it offline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from core import cards, datasets
from core.gan import classifier, data, metrics
from core.gan.model import GAN, LATENT, discriminator, generator
from core.gan.sampling import Sampler, latents

ASSETS = cards.ASSETS / "gan"
KINDS = ("dcgan", "cgan")
STORY_EPOCHS = (0, 1, 2, 3, 5, 8, 12, 20, 30, 45, 65, 100)
STORY_POINTS = 12
STORY_SEED = 2024  # the latent points of the story
EVAL_DIGITS = 2_000  # generated digits measured for the card
EVAL_SEED = 7


@dataclass(frozen=True)
class Recipe:
    """How the shipped DCGAN is trained (recorded in its card as it is)."""

    epochs: int = 100
    batch_size: int = 64
    learning_rate: float = 2e-4  # Adam for both networks, as in the DCGAN paper
    beta_1: float = 0.5
    latent: int = LATENT
    average_decay: float = 0.999  # the shipped generator: a moving average of the weights
    conditional: bool = False  # told which digit to draw (the "cgan")
    seed: int = 21


def recipe_for(kind: str) -> Recipe:
    return Recipe(conditional=kind == "cgan")


def generator_path(kind: str, folder: Path = ASSETS) -> Path:
    return folder / f"{kind}_generator.keras"


def story_path(kind: str, folder: Path = ASSETS) -> Path:
    return folder / f"{kind}_story.png"


def rebuild_command(kind: str) -> str:
    return "python -m core train gan" + ("" if kind == "dcgan" else f" --model {kind}")


@dataclass(frozen=True)
class GanCard(cards.Card):
    split: dict = field(default_factory=dict)
    history: dict = field(default_factory=dict)  # "d_loss", "g_loss", "d_real", "d_fake" by epoch
    story_epochs: list[int] = field(default_factory=list)  # the rows of the story PNG
    classifier: dict = field(default_factory=dict)  # the judge: its file's sha256, its figures
    reference: dict = field(default_factory=dict)  # the same figures for real digits


def story_latents(latent: int = LATENT) -> np.ndarray:
    return np.random.default_rng(STORY_SEED).standard_normal((STORY_POINTS, latent), np.float32)


def story_digits() -> np.ndarray:
    """What a conditional GAN's story asks for: 0, 1, …, 9, 0, 1."""
    return np.arange(STORY_POINTS) % 10


def draw(gen: keras.Model, z: np.ndarray, digits: np.ndarray | None = None,
         batch_size: int = 256) -> np.ndarray:
    """uint8 (N, 28, 28) digits for latent points z (while training: no compiled sampler)."""
    inputs = z if digits is None else [z, digits[:, None]]
    return data.to_uint8(gen.predict(inputs, batch_size=batch_size, verbose=0))


class StoryRecorder(keras.callbacks.Callback):
    """Draws the story's latent points at the story's epochs, and writes the PNG as it goes."""

    def __init__(self, gen: keras.Model, path: Path, epochs: tuple[int, ...]):
        super().__init__()
        self.gen, self.path, self.epochs = gen, path, epochs
        self.z, self.rows, self.done = story_latents(gen.inputs[0].shape[-1]), [], []
        self.digits = story_digits() if len(gen.inputs) == 2 else None

    def _record(self, epoch: int) -> None:
        self.rows.append(draw(self.gen, self.z, self.digits))
        self.done.append(epoch)
        write_story(self.path, np.stack(self.rows))

    def on_train_begin(self, logs=None):
        if 0 in self.epochs:
            self._record(0)

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self._record(epoch + 1)


def write_story(path: Path, rows: np.ndarray) -> None:
    """(epochs, points, 28, 28) uint8 -> one grayscale PNG, a row of digits per epoch."""
    n_rows, n_cols = rows.shape[:2]
    sheet = rows.transpose(0, 2, 1, 3).reshape(n_rows * 28, n_cols * 28)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet, mode="L").save(path, optimize=True)


def read_story(path: Path) -> np.ndarray:
    """The story PNG as (epochs, points, 28, 28) uint8."""
    sheet = np.asarray(Image.open(path).convert("L"))
    rows, cols = sheet.shape[0] // 28, sheet.shape[1] // 28
    return sheet.reshape(rows, 28, cols, 28).transpose(0, 2, 1, 3)


def build_gan(recipe: Recipe) -> GAN:
    keras.utils.set_random_seed(recipe.seed)
    gan = GAN(generator(recipe.latent, recipe.conditional), discriminator(recipe.conditional),
              seed=recipe.seed, average=generator(recipe.latent, recipe.conditional),
              decay=recipe.average_decay)
    gan.compile(keras.optimizers.Adam(recipe.learning_rate, beta_1=recipe.beta_1),
                keras.optimizers.Adam(recipe.learning_rate, beta_1=recipe.beta_1))
    return gan


def measure(gen: keras.Model, parts: data.Parts, judge: keras.Model, n: int = EVAL_DIGITS,
            seed: int = EVAL_SEED) -> tuple[dict, dict]:
    """(figures of n generated digits, the same figures for real digits the GAN never saw: the
    classifier's own training digits stand in as 'generated', a floor to compare with)."""
    features = classifier.feature_model(judge)
    val_features, __ = features.predict(data.to_tanh(parts.x_val), verbose=0)
    sampler = Sampler(gen)
    digits = sampler.for_seed(n, seed)
    gen_features, gen_probs = features.predict(data.to_tanh(digits), verbose=0)
    figures = metrics.summary(digits, gen_features, gen_probs, parts.x_val, val_features,
                              parts.x_gan)
    if sampler.conditional:  # asked for 0, 1, …, 9, 0, …: did it draw what it was asked?
        asked = np.arange(n) % 10
        figures["asked_share"] = round(float(np.mean(gen_probs.argmax(1) == asked)), 4)
    real = parts.x_classifier
    real_features, real_probs = features.predict(data.to_tanh(real), verbose=0)
    reference = metrics.summary(real, real_features, real_probs, parts.x_val, val_features,
                                parts.x_gan)
    return figures, reference


def train_and_ship(kind: str = "dcgan", *, data_dir=None, recipe: Recipe | None = None,
                   folder: Path = ASSETS, command: str | None = None,
                   log: Callable[[str], None] = print) -> GanCard:
    recipe = recipe or recipe_for(kind)
    parts = data.load(data_dir)
    judge, judge_card = classifier.load_shipped()  # before training: fail early without it
    x = data.to_tanh(parts.x_gan)
    y = parts.y_gan.astype(np.int32)[:, None] if recipe.conditional else None
    gan = build_gan(recipe)
    story = StoryRecorder(gan.average, story_path(kind, folder),
                          tuple(e for e in STORY_EPOCHS if e <= recipe.epochs))
    log(f"{kind}: {len(x)} digits, {recipe.epochs} epochs of "
        f"{-(-len(x) // recipe.batch_size)} steps")
    started = time.perf_counter()
    history = gan.fit(x, y, batch_size=recipe.batch_size, epochs=recipe.epochs, shuffle=True,
                      callbacks=[story], verbose=2)
    seconds = time.perf_counter() - started
    path = generator_path(kind, folder)
    shipped = generator(recipe.latent, recipe.conditional)  # without the optimizer's state
    shipped.set_weights(gan.average.get_weights())
    shipped.save(path)
    figures, reference = measure(shipped, parts, judge)
    log(f"{kind}: {figures} after {seconds:.0f} s")
    sampler, one = Sampler(shipped), latents(64, 0, recipe.latent)
    return cards.write_card(
        path.with_suffix(".json"), GanCard,
        command=command or cards.training_command(),
        data_sha256={f"mnist/{parts.source.name}": datasets.sha256_of(parts.source)},
        metrics={"validation": figures}, reference=reference, split=parts.sizes(),
        training=asdict(recipe), training_seconds=round(seconds, 1),
        parameters=int(shipped.count_params()),
        latency_ms=round(cards.latency_ms(lambda: sampler.digits(one)), 2),  # 64 digits
        history={k: [round(float(v), 4) for v in vs] for k, vs in history.history.items()},
        story_epochs=list(story.done),
        classifier={"file": classifier.PATH.name, "sha256": datasets.sha256_of(classifier.PATH),
                    **judge_card.validation})


def load_shipped(kind: str = "dcgan", folder: Path = ASSETS) -> tuple[keras.Model, GanCard]:
    return cards.load_shipped(generator_path(kind, folder), GanCard,
                              rebuild=rebuild_command(kind))
