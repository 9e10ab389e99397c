"""A model's own layer graph, read from Keras's call history, as a table and as Graphviz DOT.

Every Keras tensor remembers the call that made it (`_keras_history`: the layer and which of
its calls, `layer._inbound_nodes[i]`, holds the input tensors). Walking that history back from
the model's outputs gives the graph Keras itself runs, for Sequential and functional models
alike: one box per layer, one arrow per tensor passed to a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import pandas as pd

from core.i18n import _

INPUT_FILL, OUTPUT_FILL, SHARED_FILL, LAYER_FILL = "#dbeafe", "#dcfce7", "#fde68a", "#f3f4f6"


@dataclass
class LayerGraph:
    layers: list[keras.layers.Layer]  # inputs first, each after every layer it reads from
    edges: list[tuple[str, str, tuple]]  # (from layer, to layer, shape of the tensor passed)
    calls: dict[str, int] = field(default_factory=dict)  # > 1 for a shared layer
    output_shapes: dict[str, tuple] = field(default_factory=dict)  # of the first call
    outputs: list[str] = field(default_factory=list)  # layers whose tensors the model returns


def walk(model: keras.Model) -> LayerGraph:
    graph = LayerGraph([], [])
    depth: dict[str, int] = {}
    seen: set[tuple[int, int]] = set()

    def visit(tensor) -> None:
        layer, node_index, __ = tensor._keras_history
        if (id(layer), node_index) in seen:
            return
        seen.add((id(layer), node_index))
        node = layer._inbound_nodes[node_index]
        for parent in node.input_tensors:
            visit(parent)
            graph.edges.append((parent._keras_history.operation.name, layer.name,
                                tuple(parent.shape)))
        parents = [p._keras_history.operation.name for p in node.input_tensors]
        depth[layer.name] = max([depth.get(layer.name, 0)] + [depth[p] + 1 for p in parents])
        if layer.name not in graph.calls:
            graph.layers.append(layer)
            graph.output_shapes[layer.name] = tuple(node.outputs[0].shape)
        graph.calls[layer.name] = graph.calls.get(layer.name, 0) + 1

    for tensor in model.inputs + model.outputs:
        visit(tensor)
    graph.layers.sort(key=lambda layer: depth[layer.name])  # stable: ties keep call order
    graph.outputs = [t._keras_history.operation.name for t in model.outputs]
    return graph


def layers_in_order(model: keras.Model) -> list[keras.layers.Layer]:
    """Every layer of the model, the input layers included, inputs first."""
    return walk(model).layers


def setting(layer: keras.layers.Layer) -> str:
    """What the layer is configured to do, in a few words."""
    config = layer.get_config()
    kind = type(layer).__name__
    if kind == "Dense":
        activation, n = config["activation"], config["units"]
        units = _("{n} unit", n=n) if n == 1 else _("{n} units", n=n)
        return units + ("" if activation == "linear" else f", {activation}")
    if kind == "Activation":
        return str(config["activation"])
    if kind == "Concatenate":
        return _("axis {axis}", axis=config["axis"])
    return ""


def _params(layer) -> int:
    """Its weights' size; 0 for a layer without weights and for a bare operation (a slice such
    as `z[:, 3:4]` in a functional graph is a `GetItem` operation, not a layer)."""
    return layer.count_params() if getattr(layer, "weights", None) else 0


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def summary(model: keras.Model) -> pd.DataFrame:
    """One row per layer: name, type, setting, output shape, parameters, where its input comes
    from. A shared layer appears once (its weights exist once) and says how often it is called.
    The column names are keys (`COLUMNS` has their headers); the settings are in the current
    language."""
    graph = walk(model)
    rows = []
    for layer in graph.layers:
        sources = [a for a, b, __ in graph.edges if b == layer.name]
        calls = graph.calls[layer.name]
        rows.append({
            "layer": layer.name,
            "type": type(layer).__name__,
            "setting": setting(layer) + (_(" · shared, called {n}×", n=calls) if calls > 1
                                         else ""),
            "output shape": _shape(graph.output_shapes[layer.name]),
            "params": _params(layer),
            "connected to": ", ".join(dict.fromkeys(sources)),
        })
    return pd.DataFrame(rows)


def columns() -> dict[str, str]:
    """`summary`'s columns -> their headers in the current language."""
    return {"layer": _("layer"), "type": _("type"), "setting": _("setting"),
            "output shape": _("output shape"), "params": _("params"),
            "connected to": _("connected to")}


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(model: keras.Model) -> str:
    """Graphviz DOT for `st.graphviz_chart`: one box per layer, one arrow per tensor passed
    (a shared layer called on two inputs gets two arrows in and two out)."""
    graph = walk(model)
    lines = [
        f"digraph {_quoted(model.name)} {{",
        '  graph [rankdir=TB, bgcolor="transparent", nodesep=0.35, ranksep=0.35];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11, '
        'color="#4b5563", fontcolor="#111827"];',
        '  edge [color="#6b7280"];',
    ]
    for layer in graph.layers:
        kind, what = type(layer).__name__, setting(layer)
        params = _params(layer)
        label = [layer.name, kind + (f": {what}" if what else ""),
                 _shape(graph.output_shapes[layer.name])
                 + (_(" · {params:,} params", params=params) if params else "")]
        if graph.calls[layer.name] > 1:
            label.append(_("shared: called {n}×", n=graph.calls[layer.name]))
        fill = (SHARED_FILL if graph.calls[layer.name] > 1
                else INPUT_FILL if kind == "InputLayer"
                else OUTPUT_FILL if layer.name in graph.outputs else LAYER_FILL)
        text = "\n".join(label)
        lines.append(f"  {_quoted(layer.name)} [label={_quoted(text)}, "
                     f'fillcolor="{fill}"];')
    for source, target, __ in graph.edges:
        lines.append(f"  {_quoted(source)} -> {_quoted(target)};")
    lines.append("}")
    return "\n".join(lines)
