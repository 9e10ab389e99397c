"""Deep Dream's gradient-ascent step, written once per backend: the part that cannot be portable.

The book computes the gradient with the Keras 2 backend, `K.gradients(loss, dream)[0]`. Keras 3
has no such op: `keras.ops` computes the loss the same way on every backend, but the gradient
comes from the backend's own automatic differentiation, so the step is written once per
backend: each function below takes the feature model and returns `gradient(image) -> (loss,
grads)`. Everything around it (`dream_loss`, `ascend`) is `keras.ops` and shared. The NumPy
backend has no autodiff at all: it runs models forward only.
"""

from __future__ import annotations

from keras import ops

from core.i18n import N_


def dream_loss(features, image):
    """The book's loss: the mean activation of the chosen layer (`K.mean(layer_output)`)."""
    return ops.mean(features(image))


def ascend(image, grads, step_size: float):
    """The book's update: the gradient scaled to a mean size of 1, then a step uphill."""
    grads = grads / ops.maximum(ops.mean(ops.abs(grads)), 1e-5)
    return ops.add(image, step_size * grads)  # ops.add: `image` may be a NumPy array


def tensorflow_gradient(features):
    import tensorflow as tf

    @tf.function  # traced into a graph once per image shape, as jax.jit compiles below
    def gradient(image):
        image = tf.convert_to_tensor(image)
        with tf.GradientTape() as tape:
            tape.watch(image)  # a plain tensor, not a variable: ask the tape to follow it
            loss = dream_loss(features, image)
        return loss, tape.gradient(loss, image)

    return gradient


def jax_gradient(features):
    import jax

    # grad turns a function into its gradient function; jit compiles it (once per shape)
    return jax.jit(jax.value_and_grad(lambda image: dream_loss(features, image)))


def torch_gradient(features):
    import torch

    def gradient(image):
        image = torch.tensor(image, requires_grad=True)
        loss = dream_loss(features, image)
        loss.backward()  # fills image.grad
        return loss.detach(), image.grad

    return gradient


GRADIENTS = {"tensorflow": tensorflow_gradient, "jax": jax_gradient, "torch": torch_gradient}
NO_AUTODIFF = N_("the NumPy backend has no automatic differentiation: it only runs models forward")
