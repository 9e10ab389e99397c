"""Reconstruction errors per image: binary cross-entropy, squared error and PSNR."""

from __future__ import annotations

import numpy as np

EPS = 1e-7  # Keras' epsilon: keeps log() finite where the model says exactly 0 or 1


def per_image_bce(target: np.ndarray, output: np.ndarray) -> np.ndarray:
    """Mean over pixels of the per-pixel binary cross-entropy, one value per image."""
    t = np.asarray(target, np.float64).reshape(len(target), -1)
    p = np.clip(np.asarray(output, np.float64).reshape(len(output), -1), EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(axis=1)


def per_image_mse(target: np.ndarray, output: np.ndarray) -> np.ndarray:
    diff = (np.asarray(target, np.float64) - np.asarray(output, np.float64))
    return (diff.reshape(len(diff), -1) ** 2).mean(axis=1)


def psnr_db(mse: float) -> float:
    """Peak signal-to-noise ratio for pixels in [0, 1]."""
    return float(10 * np.log10(1.0 / max(mse, 1e-12)))


def summary(target: np.ndarray, output: np.ndarray) -> dict:
    """Mean BCE, mean MSE, and the PSNR of that mean MSE, over a set of images."""
    mse = float(per_image_mse(target, output).mean())
    return {"images": len(target), "bce": round(float(per_image_bce(target, output).mean()), 5),
            "mse": round(mse, 6), "psnr_db": round(psnr_db(mse), 3)}
