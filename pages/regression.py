"""Regression: predict benzene from the UCI Air Quality sensors, and see why cleaning matters."""

import pandas as pd
import streamlit as st

from core.air_quality import data, training, view
from core.air_quality.model import KEY_SENSOR, evaluate
from core.cards import percentile_of
from core.catalog import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_MB
from pages import jobs_view
from pages.common import locate_or_explain
from pages.shipped import shipped_model
from pages.text import as_text

st.title("Regression: benzene from cheap sensors")
st.markdown(
    "In 2004–2005 a box of five cheap metal-oxide sensors (**PT08.S1–S5**) sat next to a "
    "certified air-quality station in an Italian city (De Vito et al. 2008). Every hour the "
    "station's analyzers measured the true pollutant levels (columns marked **GT**, ground "
    "truth). The chapter's network learns to predict **benzene** (C6H6, µg/m³) from the other "
    "readings: a *regression*, one real number out. Here two functional models do it: one "
    "with all 12 readings, as in the book, and one with only what the cheap box measures — a "
    "*virtual sensor* for benzene.")


@shipped_model(show_spinner="Loading the shipped models…")
def shipped(kind: str):
    return training.load_shipped(kind)


try:
    models = {kind: shipped(kind) for kind in training.MODELS}
except (FileNotFoundError, ValueError) as err:
    st.error(f"A shipped model could not be loaded: {as_text(err)}")
    st.stop()
cards = {kind: card for kind, (_, card) in models.items()}
ranges, presets, fill = cards["all"].ranges, cards["all"].presets, cards["all"].imputation


def slider_key(column: str) -> str:
    return f"aq_in_{column}"


def clamp(column: str, value: float | None) -> float:
    return view.clamp(column, value, ranges, fill)


# The inputs live in "aq_values", not only in the sliders: Streamlit forgets the state of a
# widget that a run does not draw (the analyzer sliders, while `sensors` is chosen).
inputs_now = st.session_state.setdefault(
    "aq_values", {c: clamp(c, ranges[c]["median"]) for c in data.ALL_INPUTS})


def apply_preset() -> None:
    name = st.session_state["aq_preset"]
    if name not in presets:
        st.session_state.pop("aq_measured", None)
        return
    for column, value in presets[name]["values"].items():
        inputs_now[column] = clamp(column, value)
    st.session_state["aq_measured"] = (name, presets[name]["time"], presets[name]["benzene"])


def remember(column: str) -> None:
    inputs_now[column] = st.session_state[slider_key(column)]
    st.session_state.pop("aq_measured", None)
    st.session_state["aq_preset"] = "—"


# --- 1. Tune the inputs ------------------------------------------------------------------------
st.header("1 · Tune the inputs")
kind = st.radio("Model", list(training.MODELS), horizontal=True, key="aq_model",
                format_func=lambda k: f"`{k}`: {training.MODELS[k]}")
model, card = models[kind]
columns = card.inputs


@st.cache_data(max_entries=1024, show_spinner=False)
def predict_one(kind: str, values: tuple) -> float:
    """Keyed by the inputs alone: the same sliders give the same benzene for every student."""
    m, c = models[kind]
    return view.predict_one(m, dict(values), c.inputs)


@st.cache_data(max_entries=256, show_spinner=False)
def sweep(kind: str, values: tuple, swept: str) -> pd.DataFrame:
    m, c = models[kind]
    r = ranges[swept]
    return view.sweep(m, dict(values), c.inputs, swept, r["min"], r["max"])


@st.fragment
def tune_and_sweep() -> None:
    """Sections 1 and 2: a slider reruns only these, not the charts further down."""
    st.selectbox("Start from a real hour of 2004", ["—", *presets], key="aq_preset",
                 on_change=apply_preset,
                 help="Each preset is a real row of the data: the most typical hour of its "
                      "kind.")
    slots = st.columns(4)
    for i, column in enumerate(columns):
        what, unit = data.DESCRIPTIONS[column]
        r = ranges[column]
        st.session_state[slider_key(column)] = inputs_now[column]
        slots[i % 4].slider(f"{column} ({unit})", r["min"], r["max"],
                            step=view.slider_step(column), format=view.slider_format(column),
                            key=slider_key(column), on_change=remember, args=(column,),
                            help=f"{what}; range: 1st to 99th percentile of 2004")
    values = {c: inputs_now[c] for c in columns}
    prediction = predict_one(kind, tuple(values.items()))
    share = percentile_of(prediction, card.benzene_percentiles)

    left, right = st.columns([1, 2])
    measured = st.session_state.get("aq_measured")
    left.metric("Predicted benzene", f"{prediction:.2f} µg/m³",
                delta=f"{prediction - measured[2]:+.2f} vs the analyzer" if measured else None,
                delta_color="off")
    if measured:
        left.caption(f"**{measured[0]}**: {measured[1].replace('T', ' ')}; the reference "
                     f"analyzer measured {measured[2]:.1f} µg/m³.")
        if kind == "all" and presets[measured[0]]["values"]["NMHC(GT)"] is None:
            left.caption("NMHC(GT) was not measured then; the model fills in its training "
                         "mean.")
    left.markdown(f"More benzene than **{share:.0f}%** of the hours recorded in 2004. For "
                  "scale: the EU limit is 5 µg/m³ as a *yearly* average.")
    right.altair_chart(view.benzene_cdf_chart(card.benzene_percentiles, prediction),
                       width="stretch", height=220)

    # --- 2. Sensitivity ------------------------------------------------------------------------
    st.header("2 · Sensitivity: sweep one input")
    swept = st.selectbox("Input to sweep", columns, index=columns.index(KEY_SENSOR),
                         key="aq_sweep")
    curve = sweep(kind, tuple(values.items()), swept)
    st.altair_chart(view.sweep_chart(curve, swept, values[swept], prediction),
                    width="stretch", height=280)
    st.caption(
        "Every other input stays where the sliders put it. Sweep **PT08.S2(NMHC)** and then any "
        "other input: benzene follows sensor S2 along one smooth curve, and the others barely "
        "move it. That is why the shipped models give S2 a branch of its own (below).")


tune_and_sweep()

with st.expander("How the shipped models are built (functional API)"):
    st.markdown(
        f"`readings` (raw units) → **FillMissing** (`-200` or blank → training-split mean) → "
        f"**Normalization** (training mean and variance, fixed) → two branches, added:\n"
        f"- *curve*: only PT08.S2(NMHC) → Dense(32, gelu) → Dense(32, gelu) → Dense(1);\n"
        f"- *context*: every input → Dense(16, relu) → Dense(1), with a strong L2 penalty so "
        f"it adds only what the curve cannot explain;\n\n"
        f"→ **Rescaling** back to µg/m³. Everything travels inside the `.keras` file. "
        f"`{kind}`: {card.parameters:,} parameters, trained in {card.training_seconds:.0f} s"
        f" on {card.split['train'][0][:10]} to {card.split['train'][1][:10]}; one "
        f"prediction takes {card.latency_ms:.1f} ms.")
    st.code(card.command, language="bash")

# --- 3. Explore --------------------------------------------------------------------------------
st.header("3 · Explore: how good is it, and why cleaning matters")
st.markdown(
    "The file marks every missing reading with **-200**. The book's code leaves those in as "
    "numbers and splits the hours at random, so neighbouring hours land on both sides and the "
    "score is partly about predicting -200. Below, every model but the book's recipe is "
    "trained on March–October and scored on November–December, with missing readings filled "
    "with training-split means.")
table = view.comparison(cards)
st.dataframe(table, hide_index=True, column_order=[
    "model", "RMSE (µg/m³)", "MAE (µg/m³)", "R²", "inputs", "missing values", "split",
    "scored on", "rows"], column_config={
    "RMSE (µg/m³)": st.column_config.NumberColumn(format="%.3f"),
    "MAE (µg/m³)": st.column_config.NumberColumn(format="%.3f"),
    "R²": st.column_config.NumberColumn(format="%.5f")})
st.caption("RMSE: root mean squared error, in µg/m³; lower is better. The book's recipe looks "
           "better on its own test rows (R² near 1) only because the -200 targets are easy to "
           "predict: the sensors read -200 at the same hours.")


@st.cache_data(show_spinner="Reading the data…")
def load_frame(path: str) -> pd.DataFrame:
    return data.parse(path)


@st.cache_data(show_spinner="Predicting the validation months…")
def validation_predictions(kind: str, path: str) -> pd.DataFrame:
    m, c = models[kind]
    return view.validation_frame(m, load_frame(path), c.inputs)


frame = None
path = locate_or_explain("air-quality", "the validation charts and the training panel",
                         works="sections 1–3 above, from the shipped models and their cards")
if path is not None:
    try:
        frame = load_frame(str(path))
    except data.AirQualityFormatError as err:
        st.error(f"The Air Quality file at {as_text(path)} could not be read: {as_text(err)}")

if frame is not None:
    val = validation_predictions(kind, str(path))
    st.subheader(f"Actual vs predicted, November–December 2004 (`{kind}`)")
    st.altair_chart(view.validation_chart(val), width="stretch", height=300)
    st.caption("Scroll to zoom in time, drag to pan: the two lines lie on top of each other.")
    left, right = st.columns(2)
    left.altair_chart(view.residuals_chart(val), width="stretch", height=260)
    right.altair_chart(view.key_sensor_chart(data.split(frame)[0]), width="stretch", height=260)

with st.expander("Evaluate the shipped models on your own file"):
    upload = st.file_uploader("A file in the UCI Air Quality format (`;`, decimal commas)",
                              type=["csv", "txt"], key="aq_upload")
    if upload is not None:
        if upload.size > UPLOAD_LIMIT_BYTES:
            st.error(f"That file is over {UPLOAD_LIMIT_MB} MB; the UCI file is about 0.8 MB.")
        else:
            try:
                mine = data.parse(upload.getvalue())
                scores = [{"model": k, **evaluate(m, mine, c.inputs)}
                          for k, (m, c) in models.items()]
            except data.AirQualityFormatError as err:
                st.error(f"This file cannot be used: {as_text(err)}")
            else:
                st.dataframe(pd.DataFrame(scores), hide_index=True)
                for why in view.not_computed_lines(scores):
                    st.warning(why, icon=":material/functions:")

# --- 4. Train your own -------------------------------------------------------------------------
st.header("4 · Train your own")
st.markdown(
    "A network with one hidden layer of relu units (the book's design has 8), trained right "
    "here on the same March–October hours (MSE loss, batch 32) and scored on November–December. "
    "Try the `zeros` initializer (every unit then learns the same thing), a tiny network, or "
    "the S2 branch, and compare with the shipped model.")


@st.fragment
def train_your_own() -> None:
    """Section 4: the form reruns only this section; the run itself waits in the shared line."""
    with st.form("aq_train"):
        a, b, c = st.columns(3)
        units = a.slider("Hidden units", 2, 64, 8, key="aq_units")
        epochs = a.slider("Epochs", 1, 50, 20, key="aq_epochs")
        optimizer = b.selectbox("Optimizer", list(view.LEARNING_RATES), key="aq_optimizer",
                                format_func=lambda o: f"{o} (learning rate "
                                                      f"{view.LEARNING_RATES[o]:g})")
        initializer = b.selectbox("kernel_initializer",
                                  ["glorot_uniform", "he_normal", "random_normal", "zeros"],
                                  key="aq_init")
        inputs = c.radio("Inputs", list(training.MODELS), key="aq_inputs", horizontal=True)
        branch = c.checkbox("Give PT08.S2 its own branch (the shipped design)", key="aq_branch")
        go = st.form_submit_button("Train", type="primary", key="aq_train_go")
    if go:
        jobs_view.submit("aq_job", "training", view.training_work(
            frame, inputs, units=units, epochs=epochs, optimizer=optimizer,
            initializer=initializer, curve_branch=branch))
    job = jobs_view.follow("aq_job", "Your training run", preview=lambda seen: st.altair_chart(
        view.loss_chart(seen, epochs), width="stretch", height=260))
    if job is not None and job.state == "failed":
        st.error(f"The training run failed: {as_text(job.error)}")
    own = job.result if job is not None and job.state == "done" else None
    if own is not None:
        mine = own["inputs"]
        reference = cards[mine].validation["rmse"]
        x, y = st.columns([1, 2])
        x.metric("Your validation RMSE", f"{own['validation']['rmse']:.3f} µg/m³",
                 delta=f"{own['validation']['rmse'] - reference:+.3f} vs shipped `{mine}`",
                 delta_color="inverse")
        x.caption(f"{own['parameters']:,} parameters, {own['seconds']:.1f} s. The shipped "
                  f"`{mine}` model scores {reference:.3f} µg/m³ on the same months.")
        y.altair_chart(view.loss_chart(own["history"], len(own["history"])), width="stretch",
                       height=260)


if frame is None:
    st.caption("Training needs the dataset (see above).")
else:
    train_your_own()
