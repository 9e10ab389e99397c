"""The DCGAN: a generator and a discriminator built with the functional API, and `GAN`, a
`keras.Model` whose `train_step` plays one round of the game (as in the Keras guide
"Customizing what happens in fit()"); the live 2-D GAN (`core.gan.live`) reuses it.

The generator maps a latent point (LATENT numbers, standard normal) to a (28, 28, 1) digit in
[-1, 1] (tanh); the discriminator maps a digit to one logit: real (> 0) or generated (< 0).
Only the generator ships; it loads in safe mode like every shipped model.
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

LATENT = 64
SHAPE = (28, 28, 1)


def generator(latent: int = LATENT, conditional: bool = False) -> keras.Model:
    """latent point (and, conditional, the digit to draw: 0–9) -> a (28, 28, 1) digit."""
    z = keras.Input((latent,), name="latent")
    inputs, x = [z], z
    if conditional:
        digit = keras.Input((1,), dtype="int32", name="digit")
        inputs.append(digit)
        x = layers.Concatenate()([z, layers.Flatten()(layers.Embedding(10, 16)(digit))])
    x = layers.Dense(7 * 7 * 128, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Reshape((7, 7, 128))(x)
    for filters in (64, 32):  # 7 → 14 → 28
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    image = layers.Conv2D(1, 3, padding="same", activation="tanh", name="pixels")(x)
    return keras.Model(inputs if conditional else z, image,
                       name="conditional_generator" if conditional else "generator")


def discriminator(conditional: bool = False) -> keras.Model:
    """a digit (and, conditional, the digit it should be) -> one logit: real (> 0) or not."""
    image = keras.Input(SHAPE, name="image")
    inputs, x = [image], image
    if conditional:  # the digit, as one more image channel the convolutions can compare with
        digit = keras.Input((1,), dtype="int32", name="digit")
        inputs.append(digit)
        plane = layers.Reshape(SHAPE)(layers.Embedding(10, 28 * 28)(digit))
        x = layers.Concatenate()([image, plane])
    for filters in (64, 128):  # 28 → 14 → 7
        x = layers.Conv2D(filters, 4, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
        x = layers.Dropout(0.3)(x)
    x = layers.Flatten()(x)
    logit = layers.Dense(1, name="logit")(x)
    return keras.Model(inputs if conditional else image, logit, name="discriminator")


class GAN(keras.Model):
    """The two networks and the game: `fit(real)` (or `train_on_batch`) trains both, one step per
    batch. The DCGAN and the live 2-D GAN are both this class with different networks."""

    def __init__(self, gen: keras.Model, disc: keras.Model, seed: int = 0,
                 average: keras.Model | None = None, decay: float = 0.999, **kwargs):
        super().__init__(**kwargs)
        self.generator, self.discriminator = gen, disc
        # `average`, a twin of the generator, follows an exponential moving average of its
        # weights: a steadier generator than the last step's, the one that ships.
        self.average, self.decay = average, decay
        if average is not None:
            average.set_weights(gen.get_weights())
        self.conditional = len(gen.inputs) == 2  # told which digit to draw
        self.latent = gen.inputs[0].shape[-1]
        self.noise = keras.random.SeedGenerator(seed)
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)
        self.d_loss = keras.metrics.Mean(name="d_loss")
        self.g_loss = keras.metrics.Mean(name="g_loss")
        self.d_real = keras.metrics.Mean(name="d_real")  # D's probability "real" on real digits
        self.d_fake = keras.metrics.Mean(name="d_fake")  # … and on generated ones

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def draw(self, batch, training: bool = False):
        """(generated images for random latent points, the digits they were asked to be:
        random digits for a conditional GAN, else None)."""
        z = keras.random.normal((batch, self.latent), seed=self.noise)
        if not self.conditional:
            return self.generator(z, training=training), None
        digits = keras.random.randint((batch, 1), 0, 10, seed=self.noise)
        return self.generator([z, digits], training=training), digits

    def judge(self, images, digits=None):
        """The discriminator's logits (a conditional one also sees the digit each should be)."""
        inputs = images if digits is None else [images, digits]
        return self.discriminator(inputs, training=True)

    @property
    def metrics(self):
        return [self.d_loss, self.g_loss, self.d_real, self.d_fake]

    def train_step(self, data):
        # fit(x) or train_on_batch(x); a conditional GAN gets the digits too: fit(x, digits)
        real, digits, __ = keras.utils.unpack_x_y_sample_weight(data)
        batch = tf.shape(real)[0]
        # 1. The discriminator learns to tell real digits (label 0.9: one-sided label smoothing)
        #    from the generator's.
        fake, asked = self.draw(batch, training=True)
        with tf.GradientTape() as tape:
            real_logit = self.judge(real, digits)
            fake_logit = self.judge(fake, asked)
            d_loss = (self.bce(0.9 * tf.ones_like(real_logit), real_logit)
                      + self.bce(tf.zeros_like(fake_logit), fake_logit))
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights, strict=True))
        # 2. The generator learns to make the discriminator say "real" (the non-saturating loss).
        with tf.GradientTape() as tape:
            fake, asked = self.draw(batch, training=True)
            fake_logit = self.judge(fake, asked)
            g_loss = self.bce(tf.ones_like(fake_logit), fake_logit)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights, strict=True))
        if self.average is not None:
            for mean, weight in zip(self.average.weights, self.generator.weights, strict=True):
                mean.assign(self.decay * mean + (1 - self.decay) * weight)

        self.d_loss.update_state(d_loss)
        self.g_loss.update_state(g_loss)
        self.d_real.update_state(tf.sigmoid(real_logit))
        self.d_fake.update_state(tf.sigmoid(fake_logit))
        return {m.name: m.result() for m in self.metrics}
