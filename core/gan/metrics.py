"""How good generated digits are, judged by the project's digit classifier and by the nearest
real digit: the issue's four figures.

- `frechet`: the Fréchet distance between two sets of digits in the classifier's 64-number
  feature space (as FID does with Inception; lower is closer).
- `confident_share`: the share the classifier recognizes with at least 90 % probability.
- `class_shares`: the share of each digit among the generated ones (a collapsed generator draws
  a few digits only).
- `copy_share`: the share of generated digits closer (in pixels) to their nearest training
  digit than all but 5 % of real unseen digits are to theirs; a generator that copies its
  training digits scores high, one that draws new digits about 5 % or less.
"""

from __future__ import annotations

import numpy as np

from core.gan.classifier import CONFIDENT

COPY_PERCENTILE = 5
# The targets: (figure, "min" or "max", bound). "About equally" is read as every digit
# between half and one and a half times its fair 10 %.
TARGETS = (("confident_share", "min", 0.85), ("class_share_min", "min", 0.05),
           ("class_share_max", "max", 0.15), ("copy_share", "max", 0.05))


def meets(figures: dict) -> dict[str, bool]:
    """Whether each target is met."""
    return {name: (figures[name] >= bound if side == "min" else figures[name] <= bound)
            for name, side, bound in TARGETS}


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two (N, d) feature sets."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr(sqrt(A B)) = sum of the square roots of the eigenvalues of sqrt(A) B sqrt(A)
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    cross = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(cross, 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root)


def nearest_distances(images: np.ndarray, reference: np.ndarray, chunk: int = 512
                      ) -> tuple[np.ndarray, np.ndarray]:
    """For each uint8 image, the pixel distance (RMS, 0–1 scale) to its nearest reference image
    and that image's index."""
    ref = reference.reshape(len(reference), -1).astype(np.float32) / 255
    ref_sq = (ref ** 2).sum(1)
    dist, index = [], []
    for start in range(0, len(images), chunk):
        x = images[start:start + chunk].reshape(-1, ref.shape[1]).astype(np.float32) / 255
        sq = np.maximum((x ** 2).sum(1)[:, None] + ref_sq[None] - 2 * x @ ref.T, 0)
        index.append(sq.argmin(1))
        dist.append(np.sqrt(sq.min(1) / ref.shape[1]))
    return np.concatenate(dist), np.concatenate(index)


def class_shares(probs: np.ndarray) -> list[float]:
    counts = np.bincount(probs.argmax(1), minlength=10)
    return (counts / max(len(probs), 1)).tolist()


def summary(generated: np.ndarray, gen_features: np.ndarray, gen_probs: np.ndarray,
            real: np.ndarray, real_features: np.ndarray, training: np.ndarray) -> dict:
    """The four figures for uint8 generated digits, against real unseen digits (`real`) and the
    GAN's `training` digits."""
    gen_near, __ = nearest_distances(generated, training)
    real_near, __ = nearest_distances(real, training)
    threshold = float(np.percentile(real_near, COPY_PERCENTILE))
    shares = class_shares(gen_probs)
    return {
        "frechet": round(frechet(gen_features, real_features), 3),
        "confident_share": round(float(np.mean(gen_probs.max(1) >= CONFIDENT)), 4),
        "class_shares": [round(s, 4) for s in shares],
        "class_share_min": round(min(shares), 4),
        "class_share_max": round(max(shares), 4),
        "copy_share": round(float(np.mean(gen_near < threshold)), 4),
        "copy_threshold": round(threshold, 4),
        "nearest_median_generated": round(float(np.median(gen_near)), 4),
        "nearest_median_real": round(float(np.median(real_near)), 4),
    }
