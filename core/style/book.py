"""The book's style transfer (『直感 Deep Learning』 ch07/style_transfer.py), its loss written
in `keras.ops` exactly as the book computes it, so that the lab can run the book's recipe beside
its own on the same images.

What the book does: VGG19 on a 400-px-high copy of the photo (the style image squeezed to the
same size); content loss on `block5_conv2`, style losses on `block1_conv1` … `block5_conv1`;
every loss a plain sum (no mean); the style loss divided by 4 · 3² · (image pixels)², with 3
and the image's pixel count where Gatys et al. use the layer's channels and positions; a
total-variation loss with a 1.25 power; weights 1.0 (content), 0.1 shared by the five style
layers, 0.001 (smoothness); then 10 plain gradient-descent steps, `image -= 0.001 * grads`,
starting from the photo. The English edition (Chapter07/style-transfer.py) uses VGG16, 5 steps
at 0.00092, its content loss on raw pixels, and adds the gradient where it should subtract it.
"""

from __future__ import annotations

from keras import ops

CONTENT_WEIGHT, STYLE_WEIGHT, TV_WEIGHT = 1.0, 0.1, 0.001
STEPS, LEARNING_RATE = 10, 0.001
VGG19_CONTENT = "block5_conv2"
VGG19_STYLE = tuple(f"block{n}_conv1" for n in range(1, 6))


def gram_matrix(features):
    """The book's Gram matrix: summed over positions, not averaged."""
    channels = ops.shape(features)[-1]
    flat = ops.reshape(features, (-1, channels))
    return ops.matmul(ops.transpose(flat), flat)


def objective(image, features, targets, content_weight, style_weights, tv_weight):
    """The book's loss, as its three weighted terms: (content, style, smoothness)."""
    content_features, style_features = features
    content_target, grams = targets
    pixels = ops.cast(ops.shape(image)[1] * ops.shape(image)[2], image.dtype)
    content = ops.sum(ops.square(content_features - content_target))
    style = [style_weights[i] * ops.sum(ops.square(g - gram_matrix(f))) / (4.0 * 3**2 * pixels**2)
             for i, (f, g) in enumerate(zip(style_features, grams, strict=True))]
    down = ops.square(image[:, :-1, :-1, :] - image[:, 1:, :-1, :])
    right = ops.square(image[:, :-1, :-1, :] - image[:, :-1, 1:, :])
    smooth = ops.sum(ops.power(down + right, 1.25))
    return ops.stack([content_weight * content, ops.sum(ops.stack(style)), tv_weight * smooth])
