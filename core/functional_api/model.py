"""Dense networks described once (a spec) and built both ways, with the code of each style.

The models and the code text come from the same recipe, so what the page shows is what runs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import keras
import numpy as np

from core.functional_api.graph import layers_in_order

ACTIVATIONS = ("relu", "sigmoid", "tanh", "elu", "gelu", "softplus", "linear")


@dataclass(frozen=True)
class LayerSpec:
    units: int
    activation: str


@dataclass(frozen=True)
class NetworkSpec:
    hidden: tuple[LayerSpec, ...] = (LayerSpec(32, "sigmoid"),)
    inputs: int = 784
    outputs: int = 10
    output_activation: str = "softmax"
    separate_activations: bool = True  # the book's style: Dense, then its own Activation layer

    def with_hidden_activation(self, activation: str) -> NetworkSpec:
        return replace(self, hidden=tuple(LayerSpec(h.units, activation) for h in self.hidden))


# The chapter's network as the book's code builds it, in both editions: Dense(32) → sigmoid →
# Dense(10) → softmax on flattened 28×28 digits (the Japanese edition's ch07/functional_api.py;
# the English edition's Chapter07/func-api-seq.py and func-api-func.py).
CHAPTER = NetworkSpec()
# The Sequential listing that the reader's notes quote beside the book's functional one: the
# example of Keras 2's own guide to the Sequential model (keras.io), with a relu.
GUIDE_SEQUENTIAL = CHAPTER.with_hidden_activation("relu")


@dataclass(frozen=True)
class Step:
    """One layer of the recipe: its Keras class, main argument and name in the live models."""

    cls: str  # "Dense" or "Activation"
    arg: int | str  # Dense's units, or Activation's function
    name: str
    activation: str | None = None  # Dense's own activation, when it is not a separate layer

    def layer(self) -> keras.layers.Layer:
        extra = {"activation": self.activation} if self.activation else {}
        return getattr(keras.layers, self.cls)(self.arg, name=self.name, **extra)

    def code(self) -> str:
        extra = f', activation="{self.activation}"' if self.activation else ""
        arg = f'"{self.arg}"' if isinstance(self.arg, str) else str(self.arg)
        return f"layers.{self.cls}({arg}{extra})"


def recipe(spec: NetworkSpec) -> list[Step]:
    """The layers after the input, in order, with names that line up in both models."""
    dense = [*spec.hidden, LayerSpec(spec.outputs, spec.output_activation)]
    steps = []
    for i, layer in enumerate(dense, start=1):
        if spec.separate_activations:
            steps.append(Step("Dense", layer.units, f"dense_{i}"))
            steps.append(Step("Activation", layer.activation, f"activation_{i}"))
        else:
            steps.append(Step("Dense", layer.units, f"dense_{i}", layer.activation))
    return steps


def _input(spec: NetworkSpec) -> keras.KerasTensor:
    return keras.Input(shape=(spec.inputs,), name="input")


def sequential_model(spec: NetworkSpec = CHAPTER) -> keras.Sequential:
    return keras.Sequential([_input(spec), *(s.layer() for s in recipe(spec))],
                            name="sequential")


def functional_model(spec: NetworkSpec = CHAPTER) -> keras.Model:
    inputs = _input(spec)
    x = inputs
    for step in recipe(spec):
        x = step.layer()(x)
    return keras.Model(inputs=inputs, outputs=x, name="functional")


_HEADER = "import keras\nfrom keras import layers\n\n"


def sequential_code(spec: NetworkSpec = CHAPTER) -> str:
    lines = [f"    keras.Input(shape=({spec.inputs},)),"]
    lines += [f"    {step.code()}," for step in recipe(spec)]
    return _HEADER + "model = keras.Sequential([\n" + "\n".join(lines) + "\n])\n"


def functional_code(spec: NetworkSpec = CHAPTER) -> str:
    steps = recipe(spec)
    lines = [f"inputs = keras.Input(shape=({spec.inputs},))"]
    for i, step in enumerate(steps):
        target = "outputs" if i == len(steps) - 1 else "x"
        lines.append(f"{target} = {step.code()}({'inputs' if i == 0 else 'x'})")
    lines.append("model = keras.Model(inputs=inputs, outputs=outputs)")
    return _HEADER + "\n".join(lines) + "\n"


@dataclass
class Twins:
    spec: NetworkSpec
    sequential: keras.Sequential
    functional: keras.Model
    sequential_code: str
    functional_code: str


def build(spec: NetworkSpec = CHAPTER) -> Twins:
    """Both models and the code of both styles, from one spec."""
    return Twins(spec, sequential_model(spec), functional_model(spec),
                 sequential_code(spec), functional_code(spec))


def input_shape_warning() -> tuple[int, str | None]:
    """Build the Keras 2 guide's listing as written, `Dense(32, input_shape=(784,))` first,
    with this Keras: (its parameter count, the warning Keras gives, or None)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net = keras.Sequential([keras.layers.Dense(32, input_shape=(784,)),
                                keras.layers.Activation("relu"), keras.layers.Dense(10),
                                keras.layers.Activation("softmax")])
    said = [str(w.message) for w in caught if "input_shape" in str(w.message)]
    return net.count_params(), said[0] if said else None


def parameter_count(spec: NetworkSpec) -> int:
    """What Keras will report, by hand: each Dense has (inputs + 1 bias) × units weights."""
    sizes = [spec.inputs, *(h.units for h in spec.hidden), spec.outputs]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))


def copy_weights(source: keras.Model, target: keras.Model) -> None:
    """Copy weights layer by layer, refusing if the two models' weighted layers don't match."""
    src = [layer for layer in layers_in_order(source) if layer.weights]
    dst = [layer for layer in layers_in_order(target) if layer.weights]
    if len(src) != len(dst):
        raise ValueError(f"{source.name} has {len(src)} weighted layers, "
                         f"{target.name} has {len(dst)}")
    for a, b in zip(src, dst, strict=True):
        shapes_a = [tuple(w.shape) for w in a.weights]
        shapes_b = [tuple(w.shape) for w in b.weights]
        if type(a) is not type(b) or shapes_a != shapes_b:
            raise ValueError(f"{a.name} ({type(a).__name__} {shapes_a}) does not match "
                             f"{b.name} ({type(b).__name__} {shapes_b})")
        b.set_weights(a.get_weights())


def max_difference(a: keras.Model, b: keras.Model, x: np.ndarray) -> float:
    """Largest |a(x) − b(x)| over every output value."""
    return float(np.max(np.abs(_predict(a, x) - _predict(b, x))))


def _predict(model: keras.Model, x: np.ndarray) -> np.ndarray:
    return keras.ops.convert_to_numpy(model(x, training=False))


PROOF_SAMPLES = 16  # digit-shaped inputs fed to both models


@dataclass
class Proof:
    before: float  # max |difference| with each model's own random weights
    after: float  # ... after copying the Sequential model's weights into the functional one
    sequential_output: np.ndarray  # the first sample's outputs, after the copy
    functional_output: np.ndarray


def same_network_proof(sequential_spec: NetworkSpec, functional_spec: NetworkSpec,
                       samples: int = PROOF_SAMPLES, seed: int = 0) -> Proof:
    """Build both models fresh, feed them the same digits-shaped input, copy weights, compare."""
    sequential, functional = sequential_model(sequential_spec), functional_model(functional_spec)
    x = np.random.default_rng(seed).random((samples, sequential_spec.inputs), dtype=np.float32)
    before = max_difference(sequential, functional, x)
    copy_weights(sequential, functional)
    return Proof(before, max_difference(sequential, functional, x),
                 _predict(sequential, x[:1])[0], _predict(functional, x[:1])[0])
