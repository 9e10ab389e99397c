"""Regression: predict benzene from the UCI Air Quality sensors, and see why cleaning matters."""

import pandas as pd
import streamlit as st

from core.air_quality import baselines, data, model, training, view
from core.air_quality.model import KEY_SENSOR
from core.cards import percentile_of
from core.catalog import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_MB
from core.functional_api import graph
from core.i18n import _, language
from pages import jobs_view
from pages.common import locate_or_explain, map_terms
from pages.shipped import shipped_model
from pages.text import as_text

INITIALIZERS = ["glorot_uniform", "he_normal", "random_normal", "zeros"]


@shipped_model(show_spinner=False)
def shipped(kind: str):
    return training.load_shipped(kind)


def shipped_models() -> dict:
    return {kind: shipped(kind) for kind in training.MODELS}


@st.cache_data(max_entries=1024, show_spinner=False)
def predict_one(kind: str, values: tuple) -> float:
    """Keyed by the inputs alone: the same sliders give the same benzene for every student."""
    net, card = shipped(kind)
    return view.predict_one(net, dict(values), card.inputs)


@st.cache_data(max_entries=256, show_spinner=False)
def sweep(kind: str, values: tuple, swept: str) -> pd.DataFrame:
    net, card = shipped(kind)
    r = card.ranges[swept]
    return view.sweep(net, dict(values), card.inputs, swept, r["min"], r["max"])


@st.cache_data(max_entries=256, show_spinner=False)
def swings(kind: str, values: tuple) -> pd.DataFrame:
    net, card = shipped(kind)
    return view.swings(net, dict(values), card.inputs, card.ranges)


@st.cache_data(show_spinner=False)
def shipped_graph(kind: str, lang: str) -> str:
    """The shipped model's own layer graph, as DOT (its labels in `lang`)."""
    return graph.to_dot(shipped(kind)[0])


@st.cache_data(show_spinner=False)
def load_frame(path: str) -> pd.DataFrame:
    return data.parse(path)


@st.cache_data(show_spinner=False)
def validation_predictions(kind: str, path: str) -> pd.DataFrame:
    net, card = shipped(kind)
    return view.validation_frame(net, load_frame(path), card.inputs)


@st.cache_data(show_spinner=False)
def training_hours(path: str) -> pd.DataFrame:
    return data.split(load_frame(path))[0]


@st.cache_data(max_entries=16, show_spinner=False)
def upload_scores(content: bytes) -> list[dict]:
    """Keyed by the file's bytes: the same file is parsed and scored once for the class."""
    return model.score_file(content, shipped_models())


def introduction(cards: dict) -> None:
    st.title(_("Regression: benzene from cheap sensors"))
    st.markdown(_(
        "In 2004–2005 a box of five cheap metal-oxide sensors (**PT08.S1–S5**) sat next to a "
        "certified air-quality station in an Italian city (De Vito et al. 2008). Every hour "
        "the station's analyzers measured the true pollutant levels (columns marked **GT**, "
        "ground truth). The chapter's network learns to predict **benzene** (C6H6, µg/m³) "
        "from the other readings: a **regression**, one real number out rather than a class. "
        "Here two functional models do it: `all` with all {n_all} readings, as in the book, "
        "and `sensors` with only the {n_sensors} values the cheap box measures, a *virtual "
        "sensor* for benzene.", n_all=len(cards["all"].inputs),
        n_sensors=len(cards["sensors"].inputs)))


def slider_key(column: str) -> str:
    return f"aq_in_{column}"


def apply_preset(card) -> None:
    """Load a real hour into the inputs (stored apart from the sliders: Streamlit forgets a
    widget that a run does not draw, such as the analyzers' sliders while `sensors` shows)."""
    name, inputs = st.session_state["aq_preset"], st.session_state["aq_values"]
    if name not in card.presets:
        st.session_state.pop("aq_measured", None)
        return
    for column, value in card.presets[name]["values"].items():
        inputs[column] = view.clamp(column, value, card.ranges, card.imputation)
    st.session_state["aq_measured"] = name


def remember(column: str) -> None:
    st.session_state["aq_values"][column] = st.session_state[slider_key(column)]
    st.session_state.pop("aq_measured", None)
    st.session_state["aq_preset"] = "—"


def choose_model():
    st.header(_("1 · Tune the inputs"), anchor="tune-the-inputs")
    kind = st.radio(_("Model"), list(training.MODELS), horizontal=True, key="aq_model",
                    format_func=lambda k: _("`{kind}`: {what}", kind=k, what=_(training.MODELS[k])))
    return kind


@st.fragment
def tune_and_sweep(kind: str, cards: dict) -> None:
    """Sections 1 and 2: a slider reruns only these, not the charts further down. Inputs,
    ranges and presets come from the `all` model's card, which knows every column."""
    card, every = cards[kind], cards["all"]
    inputs = st.session_state.setdefault("aq_values", {
        c: view.clamp(c, every.ranges[c]["median"], every.ranges, every.imputation)
        for c in data.ALL_INPUTS})
    st.selectbox(_("Start from a real hour of the dataset"), ["—", *every.presets],
                 key="aq_preset", on_change=apply_preset, args=(every,),
                 format_func=lambda name: name if name == "—" else _(name),
                 help=_("Each preset is a real row of the data: the most typical hour of its "
                        "kind."))
    slots = st.columns(4)
    for i, column in enumerate(card.inputs):
        r = card.ranges[column]
        st.session_state[slider_key(column)] = inputs[column]
        slots[i % 4].slider(data.label(column), r["min"], r["max"],
                            step=view.slider_step(column), format=view.slider_format(column),
                            key=slider_key(column), on_change=remember, args=(column,),
                            help=_("{what}; range: 1st to 99th percentile of the dataset's "
                                   "hours", what=_(data.DESCRIPTIONS[column][0])))
    values = tuple((c, inputs[c]) for c in card.inputs)
    prediction = predict_one(kind, values)
    prediction_panel(kind, card, every.presets, prediction)
    sensitivity(kind, card, dict(values), prediction)


def prediction_panel(kind: str, card, presets: dict, prediction: float) -> None:
    left, right = st.columns([1, 2])
    name = st.session_state.get("aq_measured")
    measured = presets.get(name)
    left.metric(_("Predicted benzene"), f"{prediction:.2f} µg/m³", delta_color="off",
                delta=_("{gap:+.2f} vs the analyzer", gap=prediction - measured["benzene"])
                if measured else None)
    if measured:
        left.caption(_("**{name}**: {time}; the reference analyzer measured {benzene:.1f} "
                       "µg/m³.", name=_(name), time=measured["time"].replace("T", " "),
                       benzene=measured["benzene"]))
        if kind == "all" and measured["values"]["NMHC(GT)"] is None:
            left.caption(_("NMHC(GT) was not measured then; the model fills in its training "
                           "mean."))
    share = percentile_of(prediction, card.benzene_percentiles)
    left.markdown(_("More benzene than **{share:.0f}%** of the hours in the dataset. For "
                    "scale: the EU limit is 5 µg/m³ as a *yearly* average (Directive "
                    "2008/50/EC).", share=share))
    right.altair_chart(view.benzene_cdf_chart(card.benzene_percentiles, prediction),
                       width="stretch", height=220)


def sensitivity(kind: str, card, values: dict, prediction: float) -> None:
    st.header(_("2 · Sensitivity: sweep one input"), anchor="sensitivity")
    columns = card.inputs
    swept = st.selectbox(_("Input to sweep"), columns, index=columns.index(KEY_SENSOR),
                         key="aq_sweep")
    curve = sweep(kind, tuple(values.items()), swept)
    st.altair_chart(view.sweep_chart(curve, swept, values[swept], prediction),
                    width="stretch", height=280)
    moves = swings(kind, tuple(values.items()))
    st.markdown(_("Every other input stays where the sliders put it. Here is how far each "
                  "input alone moves the prediction across its slider range, from where the "
                  "sliders are now:"))
    st.altair_chart(view.swings_chart(moves), width="stretch", height=40 + 22 * len(moves))
    first, second = moves.iloc[0], moves.iloc[1]
    st.caption(_("**{first}** moves it most, by {swing1:.2f} µg/m³; **{second}** comes next "
                 "with {swing2:.2f} µg/m³. Move the sliders and watch the order change, or "
                 "not.", first=first["input"], swing1=first["swing"], second=second["input"],
                 swing2=second["swing"]))


def design(kind: str, card) -> None:
    with st.expander(_("How the shipped models are built (functional API)")):
        st.markdown(_(
            "`readings` (raw units) → **FillMissing** (`-200` or blank → training-split mean) → "
            "**Normalization** (training mean and variance, fixed) → two branches, added: a "
            "*curve* that sees only {sensor}, and a *context* that sees every input, with a "
            "strong L2 penalty (a cost on large weights) so that it adds only what the curve "
            "cannot explain → "
            "**Rescaling** back to µg/m³. Everything travels inside the `.keras` file. The "
            "graph below is read from the shipped file itself.", sensor=KEY_SENSOR))
        st.graphviz_chart(shipped_graph(kind, language()))
        st.caption(_("`{kind}`: {params:,} parameters, trained in {seconds:.0f} s on the hours "
                     "{period}; one prediction takes {ms:.1f} ms (from its card).", kind=kind,
                     params=card.parameters, seconds=card.training_seconds,
                     period=view.period(card.split["train"]), ms=card.latency_ms))
        st.code(card.command, language="bash")


def comparison_section(cards: dict) -> None:
    st.header(_("3 · Explore: how good is it, and why cleaning matters"),
              anchor="how-good-is-it")
    card = cards["all"]
    st.markdown(_(
        "The file marks every missing reading with **-200**. The book's code leaves those in "
        "as numbers. The Japanese edition's code (`ch07/regression_net.py`) then splits the "
        "hours at random, 70/30, so that neighbouring hours land on both sides; the English "
        "edition's (`Chapter07/air-quality-regression.py`) takes the first 70 % in time order. "
        "Below, every model but the book's recipe is trained on the hours {train} and scored "
        "on {validation}, with missing readings filled with training-split means.",
        train=view.period(card.split["train"]), validation=view.period(card.split["validation"])))
    table = view.comparison(cards)
    labels = view.comparison_labels()
    st.dataframe(table, hide_index=True, column_order=list(labels), column_config={
        **{key: label for key, label in labels.items()},
        "rmse": st.column_config.NumberColumn(labels["rmse"], format="%.3f"),
        "mae": st.column_config.NumberColumn(labels["mae"], format="%.3f"),
        "r2": st.column_config.NumberColumn(labels["r2"], format="%.5f")})
    st.caption(_(
        "**RMSE** (root mean squared error): the typical size of an error, in µg/m³, with big "
        "errors weighing more. **MAE** (mean absolute error): the average size of an error, in "
        "µg/m³. Lower is better for both. **R²** (coefficient of determination): 1 − (squared "
        "errors ÷ squared deviations of the readings from their mean); 1 is perfect, 0 is no "
        "better than always predicting the mean."))
    recipe = card.baselines.get("book_recipe")
    if recipe:
        st.markdown(_(
            "The book's recipe seems to score well (R² {r2_all:.4f}) but its errors are large: "
            "RMSE {rmse:.2f} µg/m³ against {shipped:.3f} for the shipped `all` model. Its R² "
            "is high because its test rows include {missing} hours whose benzene is recorded "
            "as -200: they make the readings' spread huge, and R² divides the errors by that "
            "spread. On the test rows that have a real reading, the same predictions score R² "
            "{r2_real:.3f}.", r2_all=recipe["test_all_rows"]["r2"],
            rmse=recipe["test_all_rows"]["rmse"], shipped=card.validation["rmse"],
            missing=recipe["missing_targets_in_test"],
            r2_real=recipe["test_rows_with_reading"]["r2"]))


def dataset_frame():
    """The dataset as (path, frame), or (None, None) with a message saying what is off."""
    path = locate_or_explain("air-quality", _("the validation charts and the training panel"),
                             works=_("sections 1–3 above, from the shipped models and their "
                                     "cards"))
    if path is None:
        return None, None
    try:
        return path, load_frame(str(path))
    except data.AirQualityFormatError as err:
        st.error(_("The Air Quality file at {path} could not be read: {problem}",
                   path=as_text(path), problem=as_text(err)))
        return None, None


def validation_section(kind: str, card, path) -> None:
    st.subheader(_("Actual vs predicted, {period} (`{kind}`)",
                   period=view.period(card.split["validation"]), kind=kind),
                 anchor="actual-vs-predicted")
    st.altair_chart(view.validation_chart(validation_predictions(kind, str(path))),
                    width="stretch", height=300)
    st.caption(_("Scroll to zoom in time, drag to pan: the two lines lie on top of each "
                 "other."))
    left, right = st.columns(2)
    left.altair_chart(view.residuals_chart(validation_predictions(kind, str(path))),
                      width="stretch", height=260)
    right.altair_chart(view.key_sensor_chart(training_hours(str(path))), width="stretch",
                       height=260)


def upload_section() -> None:
    with st.expander(_("Evaluate the shipped models on your own file")):
        upload = st.file_uploader(_("A file in the UCI Air Quality format (`;`, decimal "
                                    "commas)"), type=["csv", "txt"], key="aq_upload")
        if upload is None:
            return
        if upload.size > UPLOAD_LIMIT_BYTES:
            st.error(_("That file is over {limit} MB, the largest file this lab accepts.",
                       limit=UPLOAD_LIMIT_MB))
            return
        try:
            scores = upload_scores(upload.getvalue())
        except data.AirQualityFormatError as err:
            st.error(_("This file cannot be used: {problem}", problem=as_text(err)))
            return
        labels = view.comparison_labels()
        st.dataframe(pd.DataFrame(scores), hide_index=True, column_config={
            key: labels[key] for key in ("model", "rows", "rmse", "mae", "r2")})
        for why in view.not_computed_lines(scores):
            st.warning(why, icon=":material/functions:")


def training_section(frame, cards: dict) -> None:
    st.header(_("4 · Train your own"), anchor="train-your-own")
    card = cards["all"]
    st.markdown(_(
        "A network with one hidden layer of relu units (the book's design has {units}), "
        "trained right here on the same hours ({train}; the loss is the MSE, mean squared "
        "error, the square of the RMSE; batches of {batch}) and scored on "
        "{validation}. Try a tiny network, another optimizer, the S2 branch, or the `zeros` "
        "initializer: with every kernel at zero and no S2 branch, each relu unit outputs 0 "
        "and passes back no gradient (relu's slope at 0 is taken as 0), so the hidden layer "
        "never learns; only the output's bias moves, and the prediction is one number for "
        "every hour.", units=baselines.BOOK_UNITS, batch=training.OWN_BATCH,
        train=view.period(card.split["train"]),
        validation=view.period(card.split["validation"])))
    if frame is None:
        st.caption(_("Training needs the dataset (see above)."))
    else:
        train_your_own(frame, cards)


@st.fragment
def train_your_own(frame, cards: dict) -> None:
    """The form reruns only this section; the run itself waits in the shared line."""
    with st.form("aq_train"):
        a, b, c = st.columns(3)
        units = a.slider(_("Hidden units"), 2, 64, baselines.BOOK_UNITS, key="aq_units")
        epochs = a.slider(_("Epochs"), 1, 50, 20, key="aq_epochs")
        optimizer = b.selectbox(_("Optimizer"), list(training.LEARNING_RATES),
                                key="aq_optimizer", format_func=lambda o: _(
                                    "{optimizer} (learning rate {rate:g})", optimizer=o,
                                    rate=training.LEARNING_RATES[o]))
        initializer = b.selectbox("kernel_initializer", INITIALIZERS, key="aq_init")
        inputs = c.radio(_("Inputs"), list(training.MODELS), key="aq_inputs", horizontal=True)
        branch = c.checkbox(_("Give PT08.S2 its own branch (the shipped design)"),
                            key="aq_branch")
        go = st.form_submit_button(_("Train"), type="primary", key="aq_train_go")
    if go:
        jobs_view.submit("aq_job", "training", training.train_your_own_work(
            frame, inputs, units=units, epochs=epochs, optimizer=optimizer,
            initializer=initializer, curve_branch=branch))
    job = jobs_view.follow("aq_job", _("Your training run"),
                           preview=lambda seen: show_epochs(seen, epochs))
    if job is not None and job.state == "failed":
        st.error(_("The training run failed: {why}", why=as_text(job.error)))
    if job is not None and job.state == "done":
        show_own_run(job.result, cards)


def show_epochs(seen: pd.DataFrame, epochs: int) -> None:
    st.caption(_("Epoch {n} of {epochs}", n=len(seen), epochs=epochs))
    st.altair_chart(view.loss_chart(seen, epochs), width="stretch", height=260)


def show_own_run(own: dict, cards: dict) -> None:
    mine = own["inputs"]
    reference = cards[mine].validation["rmse"]
    left, right = st.columns([1, 2])
    left.metric(_("Your validation RMSE"), f"{own['validation']['rmse']:.3f} µg/m³",
                delta=_("{gap:+.3f} vs shipped `{kind}`",
                        gap=own["validation"]["rmse"] - reference, kind=mine),
                delta_color="inverse")
    left.caption(_("{params:,} parameters, {seconds:.1f} s. The shipped `{kind}` model scores "
                   "{reference:.3f} µg/m³ on the same hours.", params=own["parameters"],
                   seconds=own["seconds"], kind=mine, reference=reference))
    right.altair_chart(view.loss_chart(own["history"], len(own["history"])), width="stretch",
                       height=260)


def shipped_cards() -> dict:
    """Every shipped model's card; the page stops, saying why, if one cannot be loaded."""
    try:
        return {kind: card for kind, (__, card) in shipped_models().items()}
    except (FileNotFoundError, ValueError) as err:
        st.error(_("A shipped model could not be loaded: {problem}", problem=as_text(err)))
        st.stop()


cards = shipped_cards()
introduction(cards)
kind = choose_model()
tune_and_sweep(kind, cards)
design(kind, cards[kind])
comparison_section(cards)
path, frame = dataset_frame()
if frame is not None:
    validation_section(kind, cards[kind], path)
upload_section()
training_section(frame, cards)
map_terms("regression")
