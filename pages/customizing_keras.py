"""Customizing Keras: a Lambda layer, `keras.ops`, a custom layer, and the initializer lab."""

import inspect

import streamlit as st

from core.customizing import backend, distance, lrn, view
from core.customizing import initializers as ini
from core.i18n import _, language
from core.images import ImageError, displayable, fit_within, open_image
from pages import jobs_view
from pages.common import link_when_built, locate_or_explain, map_terms, reader_asks
from pages.text import as_text

N_CHOICES = [3, 5, 7, 9]  # LRN window sides (or channel counts): odd, as AlexNet's needs
LAB = ini.Settings()  # the lab's defaults; the form changes activation, depth and steps


@st.cache_resource(max_entries=16)
def distance_model(size: int):
    return distance.build_distance_model(size)


@st.cache_data
def lambda_refusal() -> str | None:
    return distance.safe_mode_refusal(distance.build_distance_model(3))


@st.cache_data
def ops_table(lang: str) -> str:
    """The `K.*` → `keras.ops` table, its header in `lang`."""
    return view.ops_table()


@st.cache_resource(max_entries=8)
def lrn_model(variant: str, n: int, alpha: float, beta: float, k: float):
    return lrn.build_demo_model(variant, n, alpha, beta, k)


@st.cache_data(max_entries=16, show_spinner=False)
def round_trip(variant: str, n: int, alpha: float, beta: float, k: float, pixels: bytes,
               size: tuple):
    from PIL import Image

    return lrn.save_and_load(lrn_model(variant, n, alpha, beta, k),
                             Image.frombytes("RGB", size, pixels))


@st.cache_data(max_entries=16, show_spinner=False)
def lrn_maps(variant: str, n: int, alpha: float, beta: float, k: float, pixels: bytes,
             size: tuple):
    """Keyed by the settings and the image: students on the same settings share the maps."""
    from PIL import Image

    return lrn.feature_maps(lrn_model(variant, n, alpha, beta, k),
                            Image.frombytes("RGB", size, pixels))


@st.cache_data(max_entries=2, show_spinner=False)
def digits(source: str):
    return ini.synthetic_digits() if source == "synthetic" else ini.load_digits()


def introduction() -> None:
    st.title(_("Customizing Keras"))
    st.markdown(_(
        "The chapter ends with the tools for going past the built-in layers: small "
        "computations in a **`Lambda`** layer, the **backend** functions they are written with "
        "(`keras.ops` in Keras 3), a **custom layer** of your own, and the choice of "
        "**`kernel_initializer`**, where we put what theory predicts next to what an "
        "experiment measures."))


def lambda_section() -> None:
    st.header(_("1 · A Lambda layer: Euclidean distance"), anchor="lambda-layer",
              divider="gray")
    st.markdown(_("The book's example: a model takes two vectors and outputs their distance, "
                  "computed by a `Lambda` layer around a plain function. Edit the vectors; the "
                  "model's answer is checked against NumPy."))
    st.code(inspect.getsource(distance.euclidean_distance) + "\n\n"
            + inspect.getsource(distance.build_distance_model), language="python")
    distance_demo()
    lambda_and_safe_mode()


@st.fragment
def distance_demo() -> None:
    """Editing a vector reruns only this part."""
    left, right = st.columns(2)
    x_text = left.text_input(_("Vector x"), "1, 2, 3, 4", key="ck_x",
                             help=_("numbers separated by commas or spaces"))
    y_text = right.text_input(_("Vector y"), "4, 6, 3, 0", key="ck_y")
    try:
        x_vec, y_vec = distance.parse_vector(x_text), distance.parse_vector(y_text)
    except ValueError as err:
        st.warning(_("{problem} Example: `1, 2.5, -3`.", problem=as_text(err)),
                   icon=":material/edit:")
        return
    if problem := distance.pair_problem(x_vec, y_vec):
        st.warning(problem, icon=":material/straighten:")
        return
    by_model = float(distance.model_distance(distance_model(len(x_vec)), x_vec, y_vec)[0])
    by_numpy = float(distance.numpy_distance(x_vec, y_vec)[0])
    a, b, c = st.columns(3)
    a.metric(_("Lambda model (float32)"), f"{by_model:.6g}")
    b.metric(_("NumPy `np.linalg.norm(x - y)`"), f"{by_numpy:.6g}")
    c.metric(_("Relative difference"), f"{distance.relative_difference(by_model, by_numpy):.1e}")


def lambda_and_safe_mode() -> None:
    st.markdown(_(
        "**When is a Lambda layer fine?** For a quick, stateless computation inside a notebook "
        "or a script that rebuilds the model from code. **Why a custom layer for anything "
        "saved and shared?** A Lambda layer's function is stored in the `.keras` file as "
        "Python *bytecode* (for a `lambda`) or as a bare name (for a `def`). Loading bytecode "
        "means running code from a file, so `keras.saving.load_model` refuses it in its "
        "default *safe mode*. Here is what it says when we save this very model and load it "
        "back:"))
    refusal = lambda_refusal()
    if refusal:
        st.info(_("**Refused, as intended: this is the lesson, not a crash.** Safe mode keeps "
                  "a shared file from running code on your machine. Keras' `ValueError`:"
                  "\n\n> {refusal}", refusal=refusal), icon=":material/shield:")
    else:
        st.warning(_("This Keras version loaded the Lambda model in safe mode."))
    st.markdown(_(
        "And trusting the file is not enough: loaded with `safe_mode=False`, the bytecode "
        "comes back without the module it was written in, so this lambda's call to "
        "`euclidean_distance` fails with a `NameError`. A registered custom layer (section 3) "
        "is saved as a class name plus its `get_config()` numbers, and loads anywhere the "
        "class is importable."))


def ops_section() -> None:
    st.header(_("2 · From `K.*` to `keras.ops`"), anchor="keras-ops", divider="gray")
    st.markdown(_("The book imports `from keras import backend as K`. In Keras 3 the math "
                  "lives in **`keras.ops`** (NumPy-like names, the same code on TensorFlow, "
                  "JAX or PyTorch); graph-era helpers became ordinary objects. Each Keras 3 "
                  "line below just ran on"))
    cols = st.columns(2)
    cols[0].code(f"x = {backend.X.tolist()}", language="python")
    cols[1].code(f"y = {backend.Y.tolist()}", language="python")
    st.markdown(ops_table(language()))
    st.caption(_("Gradients belong to the backend in Keras 3: with TensorFlow, "
                 "`tf.GradientTape`."))
    reader_asks(
        _("The notes take the backend API for a way to use two or more backends at once. "
          "What does it actually span?"),
        _("Not several at once: a process computes with one backend, chosen before Keras is "
          "imported (the `KERAS_BACKEND` environment variable, or `~/.keras/keras.json`). "
          "Keras 2 could hand its work to TensorFlow, Theano or CNTK; Keras 3 to TensorFlow, "
          "JAX or PyTorch (and OpenVINO for running trained models only). The backend API, "
          "`K.*` in the book and `keras.ops` in Keras 3, spans them in another sense: code "
          "written with it runs unchanged on whichever backend was chosen. This server runs on "
          "**{backend}**; the layers of section 3 use `keras.ops` only, and the lab's tests "
          "run them on JAX as well.", backend=backend.name()))
    link_when_built("pages/backends.py", _("The same code on each backend"),
                    icon=":material/swap_horiz:")


LRN_FORMULAS = {
    "book": r"b^c_{x,y} = \frac{a^c_{x,y}}{\Big(k + \alpha\,\frac{1}{|W_n|}"
            r"\sum_{(x',y')\in W_n(x,y)} (a^c_{x',y'})^2\Big)^{\beta}}",
    "english": r"b^c_{x,y} = \frac{a^c_{x,y}}{\Big(k + \frac{\alpha}{n}\sum_{c'}"
               r"\frac{1}{|W_{n/2}|}\sum_{(x',y')\in W_{n/2}(x,y)} (a^{c'}_{x',y'})^2"
               r"\Big)^{\beta}}",
    "alexnet": r"b^c_{x,y} = \frac{a^c_{x,y}}{\Big(k + \alpha"
               r"\sum_{c'=c-n/2}^{c+n/2} (a^{c'}_{x,y})^2\Big)^{\beta}}",
}


def lrn_section() -> None:
    st.header(_("3 · A custom layer: Local Response Normalization"), anchor="custom-layer",
              divider="gray")
    st.markdown(_(
        "The book writes LRN, the normalization of AlexNet's days, as a layer of its own: "
        "each activation $a$ is divided by $(k + \\alpha\\,s)^{\\beta}$, where $s$ measures the "
        "activity around it, so that strong responses in a busy neighbourhood are damped and "
        "quiet regions keep their contrast. *Around it* is where the versions differ:"))
    for key, variant in lrn.VARIANTS.items():
        st.markdown(f"**{_(variant.title)}** · `{variant.source}`")
        st.latex(LRN_FORMULAS[key])
    st.markdown(_(
        "The book's layer (Japanese edition) stays **within each channel**: a channel is "
        "divided by the mean of its own squares in the $n\\times n$ window, $W_n$. The English "
        "edition's code is a variant: it averages over a smaller $(n/2)\\times(n/2)$ window "
        "(rounded down) and **sums over all channels**, so every channel shares one divisor. "
        "AlexNet's LRN (Krizhevsky, Sutskever & Hinton 2012), which "
        "`tf.nn.local_response_normalization` computes, has **no window in space**: at each "
        "pixel it sums the squares of the $n$ neighbouring channels. Each is a registered "
        "`keras.layers.Layer` written with `keras.ops` only; a test checks each against its "
        "formula in NumPy, and AlexNet's against TensorFlow's. Below, a small conv layer with "
        "{n} hand-made filters looks at an image, before and after the LRN you choose.",
        n=len(lrn.FILTERS)))
    with st.expander(_("The layers' code: `keras.layers.Layer` subclasses with `get_config`, "
                       "registered")):
        st.code(view.lrn_code(), language="python")
    lrn_demo()


def lrn_image():
    """The sample test card, or the student's own image (shrunk)."""
    source = st.radio(_("Image"), ["sample", "mine"], horizontal=True, key="ck_image",
                      format_func={"sample": _("Sample test card"),
                                   "mine": _("My own image")}.get)
    image = lrn.sample_image()
    if source == "sample":
        return image
    upload = st.file_uploader(_("An image (PNG, JPEG, WebP, …)"), type=None, key="ck_upload")
    if upload is None:
        st.info(_("Upload an image; meanwhile the sample test card is shown."),
                icon=":material/upload:")
        return image
    try:
        mine = fit_within(open_image(upload.getvalue()), 160)
    except ImageError as err:
        st.error(_("{problem} The sample test card is shown instead.", problem=as_text(err)),
                 icon=":material/broken_image:")
        return image
    if min(mine.size) < 8:
        st.warning(_("This image is very long and thin: shrunk to {width}×{height} pixels, a "
                     "{n}×{n} window (the largest n) hardly fits in it. A squarer picture shows "
                     "LRN better.", width=mine.width, height=mine.height, n=max(N_CHOICES)),
                   icon=":material/aspect_ratio:")
    return mine


@st.fragment
def lrn_demo() -> None:
    """The image and the LRN settings rerun only this section."""
    image = lrn_image()
    variant = st.radio(_("LRN"), list(lrn.VARIANTS), horizontal=True, key="ck_lrn",
                       format_func=lambda key: _(lrn.VARIANTS[key].title))
    c1, c2, c3, c4 = st.columns(4)
    n = c1.select_slider(_("n (window side, or channels)"), N_CHOICES, value=5, key="ck_n")
    alpha = c2.select_slider("alpha", [1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2], value=5e-4,
                             format_func=lambda v: f"{v:g}", key="ck_alpha")
    beta = c3.slider("beta", 0.0, 1.5, 0.75, 0.05, key="ck_beta")
    k = c4.slider("k", 0.5, 5.0, 2.0, 0.5, key="ck_k")
    settings = (variant, n, alpha, beta, k, image.tobytes(), image.size)
    maps = lrn_maps(*settings)
    st.caption(_("Input pixels are 0–255, as in the networks LRN was made for. Each map is "
                 "stretched from black (its minimum) to white (its maximum), so look at how "
                 "the contrast *within* a map changes. Between *before* and *after*: what LRN "
                 "divided by, from {low:.3g} to {high:.3g} here.",
                 low=maps.divisor.min(), high=maps.divisor.max()))
    left, right = st.columns([1, 3])
    left.image(displayable(image), caption=_("input"), width="stretch")
    with right:
        st.image([displayable(lrn.side_by_side(maps.before[..., c], maps.divisor[..., c],
                                               maps.after[..., c]), 300)
                  for c in range(len(lrn.FILTERS))],
                 caption=[_("{name}: before | divisor | after", name=_(name))
                          for name in lrn.FILTERS], width=300)
    st.altair_chart(view.peaks(maps.before, maps.after, lrn.FILTERS), width="stretch")
    serialization(round_trip(*settings))


def serialization(trip) -> None:
    st.markdown(_("**Does it serialize?** The demo model was just saved to a `.keras` file in "
                  "a temporary folder and loaded back with `keras.saving.load_model(path, "
                  "safe_mode=True)`:"))
    if trip.max_difference == 0:
        st.success(_("Loaded back as `{layer}` ({size:.0f} KiB file); its outputs on this "
                     "image equal the original's exactly.", layer=trip.layer_type,
                     size=trip.file_bytes / 1024), icon=":material/task_alt:")
    else:
        st.warning(_("Loaded back as `{layer}`, but the outputs differ by up to {gap:.3g}.",
                     layer=trip.layer_type, gap=trip.max_difference))
    st.json({key: trip.config[key] for key in ("name", "n", "alpha", "beta", "k")},
            expanded=True)


def initializer_section() -> None:
    st.header(_("4 · The kernel_initializer lab"), anchor="kernel-initializer-lab",
              divider="gray")
    st.markdown(_(
        "Which initial weights let a deep network learn? Pick initializers for a small deep "
        "MLP on digits: every Dense kernel starts from the same initializer (biases at zero). "
        "At initialization we look at each layer's **activations** and at the **gradients** "
        "of the loss with respect to its kernel; then a short SGD run (momentum {momentum}) "
        "shows who learns.", momentum=LAB.momentum))
    reader_asks(
        _("The notes say no theory has proved which kernel_initializer is right. Is that so?"),
        _("Half so. Theory does say how the *start* behaves: Glorot & Bengio (2010) and He et "
          "al. (2015) worked out how the spread of the signal changes from one layer to the "
          "next. It is multiplied by about √(fan_in · Var(W) / 2) with relu units, and by "
          "√(fan_in · Var(W)) with tanh while its inputs stay small, where fan_in is the "
          "number of inputs of a unit and Var(W) the variance of its weights. Their "
          "initializers choose Var(W) so that this factor is 1: `he_normal` "
          "(Var(W) = 2 / fan_in) for relu, `glorot_uniform` (Var(W) = 2 / (fan_in + fan_out), "
          "a balance of the forward and the backward pass) for tanh-like units. Run the "
          "experiment: the chart *What theory predicts* puts the formula next to what your run "
          "measures. What no theory gives is the best initializer for a given task: a steady "
          "signal lets a deep network start learning, but how fast it learns and where it ends "
          "up is measured, in the training curves below."))
    path = locate_or_explain("mnist", _("training on real MNIST digits"),
                             works=_("sections 1–3, and this lab on synthetic stand-in digits"))
    if path is None:
        st.caption(_("The lab runs on **synthetic stand-in digits** instead: ten random blob "
                     "shapes, shifted and noisy. The lessons about initializers hold the "
                     "same."))
    data_source = str(path) if path else "synthetic"
    initializer_form(data_source)
    job = jobs_view.follow("initializer_job", _("Your experiment"), preview=show_which)
    if job is None and "initializer_job" not in st.session_state:
        st.info(_("Choose, then press **Run the experiment** (a few seconds per initializer; "
                  "the server runs one experiment at a time for the whole class)."),
                icon=":material/science:")
    elif job is not None and job.state == "failed":
        st.error(_("The experiment failed: {why}", why=as_text(job.error)))
    if job is not None and job.state == "done":
        lab_results(job.result, "MNIST" if path else _("Synthetic"))


def initializer_form(data_source: str) -> None:
    with st.form("initializer_form"):
        chosen = st.multiselect(_("Initializers"), list(ini.CHOICES),
                                default=list(ini.DEFAULT_CHOICES), key="ck_initializers")
        c1, c2, c3 = st.columns(3)
        activation = c1.radio(_("Activation"), ini.ACTIVATIONS, horizontal=True)
        depth = c2.slider(_("Hidden layers ({units} units each)", units=LAB.width), 2, 8,
                          LAB.depth)
        steps = c3.select_slider(_("SGD steps (batches of {size})", size=LAB.batch_size),
                                 [100, 200, 300, 500], value=LAB.steps)
        submitted = st.form_submit_button(_("Run the experiment"), type="primary",
                                          icon=":material/science:")
    if submitted:
        st.session_state["initializer_none"] = not chosen
    if st.session_state.get("initializer_none"):
        st.warning(_("Pick at least one initializer."), icon=":material/checklist:")
    elif submitted:
        lab = (tuple(chosen), activation, depth, steps)
        # the same experiment asked by several students runs once; its result is shared
        jobs_view.submit("initializer_job", "training",
                         view.experiment_work(*lab, *digits(data_source)),
                         key=f"initializers:{lab}:{data_source}")


def show_which(running: tuple) -> None:
    name, number, count = running
    st.caption(_("{initializer} ({number} of {count})…", initializer=name, number=number,
                 count=count))


@st.fragment
def lab_results(result, digits_name: str) -> None:
    """The charts of a finished experiment; the histogram switch reruns only these."""
    st.subheader(_("At initialization"), anchor="at-initialization")
    kind = st.segmented_control(_("Histograms of"), ["activation", "gradient"],
                                default="activation",
                                format_func={"activation": _("activations"),
                                             "gradient": _("kernel gradients")}.get)
    st.altair_chart(view.histograms(result, kind or "activation"))
    st.caption(_("One row per initializer, one column per layer (the output layer has "
                 "gradients only). Each cell has its own x range: read the axis numbers."))
    st.altair_chart(view.spread_by_depth(result))
    if flat := view.flat_initializers(result):
        st.caption(_("Missing from the log axes, which have no zero: **{names}**, whose spread "
                     "is exactly 0. With all-zero kernels every hidden unit outputs 0 "
                     "(relu(0) = tanh(0) = 0), so no gradient reaches any kernel: only the "
                     "output layer's biases move, and the network answers the same class for "
                     "every image.", names=", ".join(flat)))
    what_theory_predicts(result)
    st.subheader(_("A short training run"), anchor="a-short-training-run")
    st.altair_chart(view.loss_curves(result))
    summary = result.summary[["initializer", "first_loss", "final_loss", "val_accuracy",
                              "diverged", "seconds"]]
    st.dataframe(summary, hide_index=True, column_config={
        "initializer": "kernel_initializer",
        "first_loss": st.column_config.NumberColumn(_("loss at start"), format="%.4g"),
        "final_loss": st.column_config.NumberColumn(_("validation loss at end"),
                                                    format="%.3f"),
        "val_accuracy": st.column_config.NumberColumn(_("validation accuracy"),
                                                      format="percent"),
        "diverged": st.column_config.CheckboxColumn(_("diverged (NaN)")),
        "seconds": st.column_config.NumberColumn(_("seconds"), format="%.1f")})
    st.caption(_("{digits} digits: {train:.0%} train, {validation:.0%} validation (a fixed "
                 "split), seed {seed}. Rerun from the command line: `python -m core bench "
                 "initializers --all`.", digits=digits_name, train=1 - LAB.validation_share,
                 validation=LAB.validation_share, seed=LAB.seed))


def what_theory_predicts(result) -> None:
    st.subheader(_("What theory predicts"), anchor="what-theory-predicts")
    growth = view.growth_per_layer(result)
    if growth.empty:
        st.caption(_("Nothing to compare: no initializer here gives the activations a "
                     "spread."))
        return
    st.altair_chart(view.growth_chart(growth), width="stretch")
    worst = view.largest_gap(growth)
    st.caption(_(
        "Per hidden layer, by how much the activations' spread is multiplied: measured on "
        "this run's probe batch, and predicted from each kernel's fan_in and variance. 1 "
        "(the dashed line) keeps the signal steady however deep the net. Largest gap in this "
        "run: {name}, measured ×{measured:.2f} against ×{predicted:.2f} predicted. With tanh "
        "the formula assumes small inputs, where tanh(z) ≈ z; large weights saturate tanh at "
        "±1, so there the measured factor stays near 1 whatever the prediction.",
        name=worst["initializer"], measured=worst["measured"], predicted=worst["predicted"]))


introduction()
lambda_section()
ops_section()
lrn_section()
initializer_section()
map_terms("customizing_keras")
