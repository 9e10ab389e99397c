"""Functional API vs Sequential: one network written both ways, proven identical, then what only
the functional API can build."""

from __future__ import annotations

import streamlit as st

import pages  # noqa: F401 - a shared link to this page runs inside the app
from core.i18n import N_, _, language
from pages.common import map_terms, reader_asks

# The Japanese edition's ch07/functional_api.py (Keras 2), as the reader's notes quote it too.
BOOK_LISTING = """\
x = Input(shape=(784,))
g = Dense(32)
s_2 = Activation("sigmoid")
f = Dense(10)
s_K = Activation("softmax")
y = s_K(f(s_2(g(x))))
model = Model(inputs=x, outputs=y)"""
# Keras 2's guide to the Sequential model (keras.io), which the reader's notes quote beside it.
GUIDE_LISTING = """\
model = Sequential([Dense(32, input_shape=(784,)), Activation('relu'),
                    Dense(10), Activation('softmax')])"""


def introduction() -> None:
    st.title(_("Functional API vs Sequential"))
    st.markdown(_(
        "The chapter opens with one small network written two ways. As a **`Sequential`** "
        "stack, layers are listed in order and each feeds the next. In the **functional "
        "API**, layers are functions you call on tensors, `y = s_K(f(s_2(g(x))))`, and a "
        "`Model` is whatever connects an `Input` to an output. Below, both are built live with "
        "Keras 3, drawn from their own layer connectivity, and tested against each other."))
    st.markdown(_("The book's functional version (the Japanese edition's "
                  "`ch07/functional_api.py`; the English edition's `Chapter07/func-api-func.py` "
                  "is the same network with plainer names):"))
    st.code(BOOK_LISTING, language="python")
    reader_asks(
        _("Why does the book call a Dense layer `g`? Calling it `dense` would be so much "
          "clearer."),
        _("Because the chapter writes the network as mathematics first: a composition of "
          "functions, `y = s_K(f(s_2(g(x))))`, read from the inside out. In mathematics `g` and "
          "`f` are the usual names for functions and s (σ) the usual name for an activation; "
          "the subscripts tell the two activations apart. The code names each layer after its "
          "symbol, so that its last line reads exactly like the formula. It works because a "
          "Keras layer *is* a function: `g(x)` returns a new tensor, and calling `g` again "
          "reuses the same weights, which section 4 uses to read two digits with one shared "
          "layer. Any name works: the code generated below uses `x` for every step."))


@st.cache_data(show_spinner=False, max_entries=256)
def twins(spec: NetworkSpec, lang: str) -> dict:
    """Code, summary, DOT graph and parameter count of each style, keyed on the spec (and the
    language of the graph's labels)."""
    return view.styles(spec)


@st.cache_data(show_spinner=False, max_entries=64)
def proof(sequential_spec: NetworkSpec, functional_spec: NetworkSpec, seed: int):
    return model.same_network_proof(sequential_spec, functional_spec, seed=seed)


@st.cache_data(show_spinner=False)
def two_digit_facts(lang: str) -> dict:
    return view.two_digit_facts()


@st.cache_data(show_spinner=False)
def input_shape_warning() -> tuple[int, str | None]:
    return model.input_shape_warning()


def table(summary) -> None:
    st.dataframe(summary, hide_index=True, column_config=graph.columns())


def listings() -> None:
    with st.expander(_("The `Sequential` listings the chapter's readers meet (Keras 2), and "
                       "Keras 3")):
        st.markdown(_("The book's own `Sequential` listing (the English edition's "
                      "`Chapter07/func-api-seq.py`) uses the same sigmoid. The reader's notes "
                      "quote a different one beside the functional version: the example of "
                      "Keras 2's guide to the Sequential model (keras.io), with a **relu**:"))
        st.code(GUIDE_LISTING, language="python")
        params, warning = input_shape_warning()
        if warning:
            st.markdown(_("Keras 3 still builds that listing ({params:,} parameters), with a "
                          "warning:\n\n> {warning}\n\nso this lab starts every model from "
                          "`keras.Input(shape=(784,))`, in a `Sequential` list or as the "
                          "functional graph's first tensor.", params=params, warning=warning))
        else:
            st.markdown(_("Keras 3 builds that listing ({params:,} parameters) without a "
                          "word; this lab still starts every model from "
                          "`keras.Input(shape=(784,))`.", params=params))


# The two ways to write a network, as the column headers name them
STYLE_NAMES = {"Sequential": N_("`Sequential`"), "Functional": N_("Functional API")}


def show_style(name: str, style: dict) -> None:
    st.subheader(_(STYLE_NAMES[name]), anchor=f"twin-{name.lower()}")
    st.code(style["code"], language="python")
    st.metric(_("Parameters"), f"{style['params']:,}")
    st.graphviz_chart(style["dot"])
    table(style["summary"])


@st.fragment
def two_ways_and_proof() -> None:
    """Sections 1 and 2 (the listing switch changes both); their widgets rerun only them."""
    st.header(_("1 · One network, two ways"), anchor="one-network-two-ways")
    st.markdown(_("The book's network, Dense(32) → sigmoid → Dense(10) → softmax, as a "
                  "`Sequential` stack and as a functional graph. The switch puts the relu "
                  "listing of Keras 2's guide in the `Sequential` column instead: same layers, "
                  "same shapes, same parameter count. Watch the proof in section 2."))
    guide = st.toggle(_("`Sequential` as the guide writes it (relu hidden layer)"),
                      key="fa_guide_relu")
    sequential_spec = GUIDE_SEQUENTIAL if guide else CHAPTER
    chapter = {"Sequential": twins(sequential_spec, language())["Sequential"],
               "Functional": twins(CHAPTER, language())["Functional"]}
    for column, (name, style) in zip(st.columns(2), chapter.items(), strict=True):
        with column:
            show_style(name, style)
    st.caption(_("Blue: input · grey: hidden layers · green: output. Both graphs are read from "
                 "each model's own call history (every Keras tensor remembers the layer call "
                 "that made it), so they show what Keras actually runs. The Sequential model "
                 "builds the same kind of graph internally: its `Input` layer is there even "
                 "though `model.summary()` hides it."))
    prove_it(sequential_spec)


def prove_it(sequential_spec: NetworkSpec) -> None:
    st.header(_("2 · Prove it: copy the weights, compare the outputs"), anchor="prove-it")
    st.markdown(_(
        "Equal parameter counts and equal graphs are not yet proof. Each model starts with "
        "its own random weights, so their outputs differ. Copy the `Sequential` model's "
        "weights into the functional one, layer by layer "
        "(`target.set_weights(source.get_weights())`), and feed both the same {samples} "
        "digit-shaped inputs ({pixels} random pixel intensities in [0, 1]): if they are the "
        "same network, every output must match.", samples=model.PROOF_SAMPLES,
        pixels=CHAPTER.inputs))
    seed = st.session_state.setdefault("fa_seed", 0)
    if st.button(_("New random weights and inputs"), icon=":material/casino:",
                 key="fa_new_weights"):
        seed = st.session_state["fa_seed"] = seed + 1
    result = proof(sequential_spec, CHAPTER, seed)
    before, after = st.columns(2)
    before.metric(_("max |difference| before copying"), f"{result.before:.3g}")
    after.metric(_("max |difference| after copying"), f"{result.after:.3g}")
    if result.after == 0:
        st.success(_("Identical to the last bit: after the copy, both models compute exactly "
                     "the same numbers. `Sequential` and the functional API are two ways to "
                     "write one network."), icon=":material/check_circle:")
    else:
        st.error(_("Still different by up to {gap:.4f} with identical weights: the guide's "
                   "`Sequential` listing squashes its hidden layer with a relu, the book's "
                   "functional one with a sigmoid. Same layers, same shapes, same parameter "
                   "count, yet another function. Turn the switch off to compare the book's "
                   "two versions.", gap=result.after), icon=":material/difference:")
    st.altair_chart(view.outputs_chart(result))


@st.fragment
def build_your_own() -> None:
    """Section 3: its sliders rerun only this section."""
    st.header(_("3 · Build your own"), anchor="build-your-own")
    st.markdown(_("Choose the hidden layers; the input stays a flattened 28×28 digit (784 "
                  "values) and the output 10 softmax probabilities. Both styles of code, the "
                  "graph and the parameter count follow."))
    depth = st.slider(_("Hidden layers"), 1, 4, 1, key="fa_depth")
    hidden = []
    for i in range(depth):
        units_col, activation_col = st.columns(2)
        units = units_col.select_slider(_("Units in hidden layer {n}", n=i + 1),
                                        [4, 8, 16, 32, 64, 128, 256], value=32,
                                        key=f"fa_units_{i}")
        activation = activation_col.selectbox(_("Activation of hidden layer {n}", n=i + 1),
                                              model.ACTIVATIONS, key=f"fa_act_{i}")
        hidden.append(LayerSpec(units, activation))
    separate = st.toggle(_("Activation as its own layer, as in the book"), value=True,
                         key="fa_separate",
                         help=_("Off: `Dense(32, activation=\"relu\")`, one layer instead of "
                                "two. Activations have no weights, so the count does not "
                                "move."))
    spec = NetworkSpec(tuple(hidden), separate_activations=separate)
    mine = twins(spec, language())
    st.metric(_("Parameters in your network"), f"{mine['Sequential']['params']:,}")
    st.caption(_("By hand, each Dense layer has (inputs + 1 bias) × units weights: {sum}.",
                 sum=view.parameter_sum(spec)))
    seq_col, fun_col = st.columns(2)
    seq_col.code(mine["Sequential"]["code"], language="python")
    fun_col.code(mine["Functional"]["code"], language="python")
    graph_col, table_col = st.columns([1, 2])
    with graph_col:
        st.graphviz_chart(mine["Functional"]["dot"])
    with table_col:
        table(mine["Functional"]["summary"])
        if mine["Sequential"]["summary"].equals(mine["Functional"]["summary"]):
            st.success(_("The Sequential model's layer table is identical, row for row."),
                       icon=":material/check_circle:")


def beyond_sequential() -> None:
    st.header(_("4 · What only the functional API can do"), anchor="beyond-sequential")
    st.markdown(_(
        "A `Sequential` model is a single line: one input, one output, each layer used once. "
        "The functional API builds any graph of layers. This model takes **two digits** and "
        "answers **two questions**: are they the same digit, and what is their sum? One "
        "**shared** encoder reads both images (its weights exist once, so both digits are "
        "seen by the same eye), `concatenate` merges the two encodings, and two heads "
        "answer."))
    facts = two_digit_facts(language())
    st.code(two_digits.code(), language="python")
    with st.expander(_("Training it: one loss per head")):
        st.code(two_digits.TRAINING_CODE, language="python")
    graph_col, facts_col = st.columns([2, 3])
    with graph_col:
        st.graphviz_chart(facts["dot"])
    with facts_col:
        st.metric(_("Parameters"), f"{facts['params']:,}")
        st.markdown(_("The shared encoder holds **{n:,}** of them, counted once although it "
                      "is called twice (the yellow box: two arrows in, two out).",
                      n=facts["encoder_params"]))
        st.markdown(_("Called on {pairs} random pairs, `model({{\"left_digit\": a, "
                      "\"right_digit\": b}})` returns one array per head: {answers}.",
                      pairs=two_digits.PAIRS, answers=facts["answers"]))
    table(facts["summary"])


introduction()
with st.spinner(_("Starting Keras…")):  # a few seconds on a fresh server, so say so
    from core.functional_api import graph, model, two_digits, view
    from core.functional_api.model import CHAPTER, GUIDE_SEQUENTIAL, LayerSpec, NetworkSpec
listings()
two_ways_and_proof()
build_your_own()
beyond_sequential()
map_terms("functional_api")
