"""What the Functional API page shows: each style's code, layer table, graph and parameter count,
the by-hand parameter sum, the proof's chart and the two-digit model's facts (pure Altair and
pandas: no Streamlit here)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.functional_api import graph, model, two_digits
from core.functional_api.model import NetworkSpec, Proof
from core.i18n import _


def styles(spec: NetworkSpec) -> dict[str, dict]:
    """For "Sequential" and "Functional": the code, the layer table, the DOT graph and the
    parameter count of the model built from `spec` in that style."""
    built = model.build(spec)
    return {style: {"code": code, "summary": graph.summary(net), "dot": graph.to_dot(net),
                    "params": net.count_params()}
            for style, code, net in (("Sequential", built.sequential_code, built.sequential),
                                     ("Functional", built.functional_code, built.functional))}


def parameter_sum(spec: NetworkSpec) -> str:
    """The parameter count by hand, one term per Dense layer: "(784 + 1) × 32 + … = 25,450"."""
    sizes = [spec.inputs, *(h.units for h in spec.hidden), spec.outputs]
    terms = " + ".join(f"({a} + 1) × {b}" for a, b in zip(sizes, sizes[1:], strict=False))
    return f"{terms} = {model.parameter_count(spec):,}"


def outputs_chart(proof: Proof) -> alt.Chart:
    """Both models' softmax outputs for the first input, side by side per class."""
    n = len(proof.sequential_output)
    frame = pd.DataFrame({"class": list(range(n)) * 2,
                          "probability": [*proof.sequential_output, *proof.functional_output],
                          "model": ["Sequential"] * n + ["Functional"] * n})
    title = _("Outputs for the first input, after copying the weights")
    return alt.Chart(frame, title=title).mark_bar().encode(
        x=alt.X("class:O", title=_("class (softmax output)"), axis=alt.Axis(labelAngle=0)),
        xOffset="model:N", y=alt.Y("probability:Q", title=_("probability")),
        color=alt.Color("model:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("model:N", title=_("model")),
                 alt.Tooltip("class:O", title=_("class")),
                 alt.Tooltip("probability:Q", format=".4f", title=_("probability"))],
    ).properties(height=220)


def two_digit_facts() -> dict:
    """The two-digit model's layer table, graph, parameter count (and the shared encoder's
    share of it), and the shape of each head's answer to 4 random pairs."""
    net = two_digits.two_digit_model()
    summary = graph.summary(net)
    answers = two_digits.answer_shapes(net)
    return {"summary": summary, "dot": graph.to_dot(net), "params": net.count_params(),
            "encoder_params": int(summary.set_index("layer").loc["shared_encoder", "params"]),
            "answers": ", ".join(f"`{name}` {shape}" for name, shape in answers.items())}
