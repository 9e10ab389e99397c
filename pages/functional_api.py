"""Functional API vs Sequential: one network written both ways, proven identical, then what only
the functional API can build."""

import streamlit as st

import pages  # noqa: F401 - a shared link to this page runs inside the app

st.title("Functional API vs Sequential")
st.markdown(
    "The chapter opens with one small network written two ways. As a **`Sequential`** stack, "
    "layers are listed in order and each feeds the next. In the **functional API**, layers are "
    "functions you call on tensors, `y = s_K(f(s_2(g(x))))`, and a `Model` is whatever "
    "connects an `Input` to an output. Below, both are built live with Keras 3, drawn from "
    "their own layer connectivity, and tested against each other.")

with st.expander("The book's listings (Keras 2) and what changed in Keras 3"):
    st.code("model = Sequential([Dense(32, input_shape=(784,)), Activation('relu'),\n"
            "                    Dense(10), Activation('softmax')])", language="python")
    st.code("x = Input(shape=(784,))\ng = Dense(32)          # 1st hidden layer\n"
            "s_2 = Activation('sigmoid')\nf = Dense(10)\ns_K = Activation('softmax')\n"
            "y = s_K(f(s_2(g(x))))\nmodel = Model(inputs=x, outputs=y)", language="python")
    st.markdown("Keras 3 no longer takes `input_shape=` on a layer: a model starts from "
                "`keras.Input(shape=(784,))`, in a `Sequential` list or as the functional "
                "graph's first tensor.")

with st.spinner("Starting Keras…"):  # a few seconds on a fresh server, so say so
    from core.functional_api import model, two_digits, view
    from core.functional_api.model import CHAPTER, LayerSpec, NetworkSpec


@st.cache_data(show_spinner=False, max_entries=256)
def twins(spec: NetworkSpec) -> dict:
    """Code, summary, DOT graph and parameter count of each style, keyed on the spec."""
    return view.styles(spec)


@st.cache_data(show_spinner=False, max_entries=64)
def proof(sequential_spec: NetworkSpec, functional_spec: NetworkSpec, seed: int):
    return model.same_network_proof(sequential_spec, functional_spec, seed=seed)


@st.cache_data(show_spinner=False)
def two_digit_facts() -> dict:
    return view.two_digit_facts()


def show_style(title: str, style: dict) -> None:
    st.subheader(title)
    st.code(style["code"], language="python")
    st.metric("Parameters", f"{style['params']:,}")
    st.graphviz_chart(style["dot"])
    st.dataframe(style["summary"], hide_index=True)


@st.fragment
def two_ways_and_proof() -> None:
    """Sections 1 and 2 (the book's toggle changes both); their widgets rerun only them."""
    # --- 1. One network, two ways --------------------------------------------------------------
    st.header("1 · One network, two ways")
    st.warning(
        "**Read the book closely.** Its `Sequential` listing uses a **relu** hidden activation, "
        "but the functional version it calls \"the same\" uses a **sigmoid** (`s_2`). Same "
        "layers, same shapes, same parameter count — yet not the same function. Switch between "
        "the two readings and watch the proof in section 2.", icon=":material/menu_book:")
    as_printed = st.toggle("Functional version as printed in the book (sigmoid hidden layer)",
                           key="fa_book_sigmoid")
    functional_spec = model.BOOK_FUNCTIONAL if as_printed else CHAPTER
    chapter = {"Sequential": twins(CHAPTER)["Sequential"],
               "Functional": twins(functional_spec)["Functional"]}
    for column, (title, style) in zip(st.columns(2), chapter.items(), strict=True):
        with column:
            show_style(title, style)
    st.caption("Blue: input · grey: hidden layers · green: output. Both graphs are read from each "
               "model's own call history (every Keras tensor remembers the layer call that made "
               "it), so they show what Keras actually runs. The Sequential model builds the same "
               "kind of graph internally: its `Input` layer is there even though `model.summary()` "
               "hides it.")

    # --- 2. Prove it ------------------------------------------------------------------------------
    st.header("2 · Prove it: copy the weights, compare the outputs")
    st.markdown(
        "Equal parameter counts and equal graphs are not yet proof. Each model starts with its own "
        "random weights, so their outputs differ. Copy the `Sequential` model's weights into the "
        "functional one, layer by layer (`target.set_weights(source.get_weights())`), and feed "
        "both the same 16 digit-shaped inputs (784 random pixel intensities in [0, 1]): if they "
        "are the same network, every output must match.")
    seed = st.session_state.setdefault("fa_seed", 0)
    if st.button("New random weights and inputs", icon=":material/casino:",
                 key="fa_new_weights"):
        seed = st.session_state["fa_seed"] = seed + 1
    result = proof(CHAPTER, functional_spec, seed)
    before, after = st.columns(2)
    before.metric("max |difference| before copying", f"{result.before:.3g}")
    after.metric("max |difference| after copying", f"{result.after:.3g}")
    if result.after == 0:
        st.success("Identical to the last bit: after the copy, both models compute exactly the "
                   "same numbers. `Sequential` and the functional API are two ways to write one "
                   "network.", icon=":material/check_circle:")
    else:
        st.error(f"Still different by up to {result.after:.4f} with identical weights: the "
                 "functional model as printed squashes its hidden layer with a sigmoid, the "
                 "`Sequential` one with a relu. Turn the switch off to fix the book.",
                 icon=":material/difference:")
    st.altair_chart(view.outputs_chart(result))


@st.fragment
def build_your_own() -> None:
    """Section 3: its sliders rerun only this section."""
    # --- 3. Build your own ------------------------------------------------------------------------
    st.header("3 · Build your own")
    st.markdown("Choose the hidden layers; the input stays a flattened 28×28 digit (784 values) "
                "and the output 10 softmax probabilities. Both styles of code, the graph and the "
                "parameter count follow.")
    depth = st.slider("Hidden layers", 1, 4, 1, key="fa_depth")
    hidden = []
    for i in range(depth):
        units_col, activation_col = st.columns(2)
        units = units_col.select_slider(f"Units in hidden layer {i + 1}",
                                        [4, 8, 16, 32, 64, 128, 256], value=32, key=f"fa_units_{i}")
        activation = activation_col.selectbox(f"Activation of hidden layer {i + 1}",
                                              model.ACTIVATIONS, key=f"fa_act_{i}")
        hidden.append(LayerSpec(units, activation))
    separate = st.toggle("Activation as its own layer, as in the book", value=True,
                         key="fa_separate", help="Off: `Dense(32, activation=\"relu\")`, one layer "
                         "instead of two. Activations have no weights, so the count does not move.")
    spec = NetworkSpec(tuple(hidden), separate_activations=separate)
    mine = twins(spec)

    st.metric("Parameters in your network", f"{mine['Sequential']['params']:,}")
    st.caption("By hand, each Dense layer has (inputs + 1 bias) × units weights: "
               f"{view.parameter_sum(spec)}.")
    seq_col, fun_col = st.columns(2)
    seq_col.code(mine["Sequential"]["code"], language="python")
    fun_col.code(mine["Functional"]["code"], language="python")
    graph_col, table_col = st.columns([1, 2])
    with graph_col:
        st.graphviz_chart(mine["Functional"]["dot"])
    with table_col:
        st.dataframe(mine["Functional"]["summary"], hide_index=True)
        if mine["Sequential"]["summary"].equals(mine["Functional"]["summary"]):
            st.success("The Sequential model's layer table is identical, row for row.",
                       icon=":material/check_circle:")


two_ways_and_proof()
build_your_own()

# --- 4. Beyond Sequential ---------------------------------------------------------------------
st.header("4 · What only the functional API can do")
st.markdown(
    "A `Sequential` model is a single line: one input, one output, each layer used once. The "
    "functional API builds any graph of layers. This model takes **two digits** and answers "
    "**two questions**: are they the same digit, and what is their sum? One **shared** encoder "
    "reads both images (its weights exist once, so both digits are seen by the same eye), "
    "`concatenate` merges the two encodings, and two heads answer.")
facts = two_digit_facts()
st.code(two_digits.code(), language="python")
with st.expander("Training it: one loss per head"):
    st.code(two_digits.TRAINING_CODE, language="python")
graph_col, facts_col = st.columns([2, 3])
with graph_col:
    st.graphviz_chart(facts["dot"])
with facts_col:
    st.metric("Parameters", f"{facts['params']:,}")
    st.markdown(f"The shared encoder holds **{facts['encoder_params']:,}** of them, counted once "
                "although it is called twice (the yellow box: two arrows in, two out).")
    st.markdown("Called on 4 random pairs, `model({\"left_digit\": a, \"right_digit\": b})` "
                f"returns one array per head: {facts['answers']}.")
st.dataframe(facts["summary"], hide_index=True)
