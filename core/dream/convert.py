"""Convert SqueezeNet v1.1's original Keras-1 HDF5 weights into the Keras 3 file in assets/."""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from core import cards

SHIPPED = "dream/squeezenet_v1_1.keras"  # under assets/, as model.BACKBONES names it
SOURCE = "weights/squeezenet_v1.1/squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5"
LICENSES = ("LICENSE-keras-squeezenet-MIT.txt", "LICENSE-SqueezeNet-BSD-2.txt")


def convert_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the model and its card (default: assets/dream)")


def convert(args: argparse.Namespace) -> int:
    from core import datasets

    card = convert_squeezenet(datasets.locate("squeezenet", args.data_dir), args.out)
    print(json.dumps({"model": card.details["file"], "size_bytes": card.details["size_bytes"],
                      "sha256": card.details["sha256"], **card.metrics}))
    return 0


def weights_digest(net) -> str:
    """sha256 over every weight array, in layer order: equal for equal weights, whatever the
    file (a .keras file's own bytes change with its save date)."""
    h = hashlib.sha256()
    for weight in net.weights:
        h.update(weight.path.encode())
        h.update(weight.numpy().tobytes())
    return h.hexdigest()


def convert_squeezenet(source: Path, out_dir: Path | None = None) -> cards.Card:
    """Rebuild SqueezeNet from `source`, save it, reload it in safe mode and check that the
    reloaded network computes exactly what the rebuilt one does; write its card."""
    import keras
    import numpy as np

    from core import datasets
    from core.dream import model, pictures

    out = Path(out_dir) if out_dir else (cards.ASSETS / SHIPPED).parent
    target = out / Path(SHIPPED).name
    out.mkdir(parents=True, exist_ok=True)
    rebuilt = model.load_squeezenet(Path(source))
    rebuilt.save(target)
    reloaded = keras.saving.load_model(target, compile=False, safe_mode=True)
    probe = pictures.generated_picture(128)
    batch = np.asarray(probe, np.float32)[None] / 127.5 - 1.0
    difference = float(np.max(np.abs(rebuilt(batch).numpy() - reloaded(batch).numpy())))
    if difference != 0.0 or weights_digest(reloaded) != weights_digest(rebuilt):
        raise RuntimeError(f"{target} does not reproduce the rebuilt network "
                           f"(largest difference {difference})")
    convs = [lyr for lyr in reloaded.layers if isinstance(lyr, keras.layers.Conv2D)]
    return cards.write_card(
        target.with_suffix(".json"), command="python -m core convert squeezenet",
        data_sha256={SOURCE: datasets.sha256_of(source)},
        metrics={"parameters": reloaded.count_params(), "conv_layers": len(convs),
                 "max_abs_difference_from_source": difference,
                 "weights_sha256": weights_digest(reloaded)},
        file=target.name, sha256=datasets.sha256_of(target), size_bytes=target.stat().st_size,
        source="keras-squeezenet release v1.0 (SqueezeNet v1.1, ImageNet, no classifier)",
        licenses=list(LICENSES),
        input="[-1, 1] RGB; the model's CaffeInput layer converts to BGR, 0-255, mean-subtracted")
