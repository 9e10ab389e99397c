"""The lab's three losses, in `keras.ops` (any backend): what "content", "style" and
"smoothness" mean to the network.

Each loss is a relative error: divided by the size of its own target, so that it starts near 1
whatever the layer, the image's size or the backbone, and one weight suits them all. Images are
float RGB in 0–255 (pixel values as a student knows them), batches of one.
"""

from __future__ import annotations

from keras import ops

EPSILON = 1e-8


def gram_matrix(features):
    """Channel-by-channel correlations of a layer's feature maps, averaged over positions.

    (1, h, w, c) or (h, w, c) -> (c, c): entry (i, j) is the mean over every position of
    feature i times feature j. Where things are in the picture is gone; which features fire
    together (the texture, the "style") is kept.
    """
    channels = ops.shape(features)[-1]
    flat = ops.reshape(features, (-1, channels))  # one row per position
    positions = ops.cast(ops.shape(flat)[0], flat.dtype)
    return ops.matmul(ops.transpose(flat), flat) / positions


def content_loss(features, target):
    """How far the image's features at the content layer are from the photo's."""
    return ops.sum(ops.square(features - target)) / (ops.sum(ops.square(target)) + EPSILON)


def style_loss(features, target_gram):
    """How far the image's Gram matrix at one layer is from the style image's."""
    gram = gram_matrix(features)
    return (ops.sum(ops.square(gram - target_gram))
            / (ops.sum(ops.square(target_gram)) + EPSILON))


def total_variation_loss(image):
    """Mean squared difference between neighbouring pixels (0–1 scale): small when smooth."""
    image = image / 255.0
    down = image[:, 1:, :, :] - image[:, :-1, :, :]
    right = image[:, :, 1:, :] - image[:, :, :-1, :]
    return ops.mean(ops.square(down)) + ops.mean(ops.square(right))


def objective(image, features, targets, content_weight, style_weights, tv_weight):
    """The lab's loss, as its three weighted terms: (content, style, smoothness).

    `features` and `targets` are (content layer, [style layers]) pairs; `style_weights` holds
    one weight per style layer (the style weight shared out among them).
    """
    content_features, style_features = features
    content_target, grams = targets
    style = [style_weights[i] * style_loss(f, g)
             for i, (f, g) in enumerate(zip(style_features, grams, strict=True))]
    return ops.stack([content_weight * content_loss(content_features, content_target),
                      ops.sum(ops.stack(style)),
                      tv_weight * total_variation_loss(image)])
