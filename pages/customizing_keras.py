"""Customizing Keras: a Lambda layer, `keras.ops`, a custom layer, and the initializer lab."""

import inspect

import streamlit as st

from core.customizing import backend, distance, lrn, view
from core.customizing import initializers as ini
from core.images import ImageError, displayable, fit_within, open_image
from pages import jobs_view
from pages.common import locate_or_explain
from pages.text import as_text

st.title("Customizing Keras")
st.markdown(
    "The chapter ends with the tools for going past the built-in layers: small computations in "
    "a **`Lambda`** layer, the **backend** functions they are written with (`keras.ops` in "
    "Keras 3), a **custom layer** of your own, and the honest remark that no theory says which "
    "**`kernel_initializer`** is best, so we run the experiment instead.")

# --- 1. Lambda ---------------------------------------------------------------------------------
st.header("1 · A Lambda layer: Euclidean distance", divider="gray")
st.markdown("The book's example: a model takes two vectors and outputs their distance, computed "
            "by a `Lambda` layer around a plain function. Edit the vectors; the model's answer "
            "is checked against NumPy.")
st.code(inspect.getsource(distance.euclidean_distance) + "\n\n"
        + inspect.getsource(distance.build_distance_model), language="python")


@st.cache_resource(max_entries=16)
def distance_model(size: int):
    return distance.build_distance_model(size)


@st.fragment
def distance_demo() -> None:
    """Editing a vector reruns only this part."""
    left, right = st.columns(2)
    x_text = left.text_input("Vector x", "1, 2, 3, 4", key="ck_x",
                             help="numbers separated by commas or spaces")
    y_text = right.text_input("Vector y", "4, 6, 3, 0", key="ck_y")
    try:
        x_vec, y_vec = distance.parse_vector(x_text), distance.parse_vector(y_text)
    except ValueError as err:
        st.warning(f"{as_text(err)} Example: `1, 2.5, -3`.", icon=":material/edit:")
    else:
        if problem := distance.pair_problem(x_vec, y_vec):
            st.warning(problem, icon=":material/straighten:")
        else:
            model = distance_model(len(x_vec))
            by_model = float(distance.model_distance(model, x_vec, y_vec)[0])
            by_numpy = float(distance.numpy_distance(x_vec, y_vec)[0])
            a, b, c = st.columns(3)
            a.metric("Lambda model (float32)", f"{by_model:.6g}")
            b.metric("NumPy `np.linalg.norm(x - y)`", f"{by_numpy:.6g}")
            gap = abs(by_model - by_numpy) / max(by_numpy, 1e-12)
            c.metric("Relative difference", f"{gap:.1e}")


distance_demo()


@st.cache_data
def lambda_refusal() -> str | None:
    return distance.safe_mode_refusal(distance.build_distance_model(3))


st.markdown(
    "**When is a Lambda layer fine?** For a quick, stateless computation inside a notebook or a "
    "script that rebuilds the model from code. **Why a custom layer for anything saved and "
    "shared?** A Lambda layer's function is stored in the `.keras` file as Python *bytecode* "
    "(for a `lambda`) or as a bare name (for a `def`). Loading bytecode means running code "
    "from a file, so `keras.saving.load_model` refuses it in its default *safe mode*. "
    "Here is what it says when we save this very model and load it back:")
refusal = lambda_refusal()
if refusal:
    st.info("**Refused, as intended: this is the lesson, not a crash.** Safe mode keeps a "
            "shared file from running code on your machine. Keras' `ValueError`:\n\n"
            f"> {refusal}", icon=":material/shield:")
else:
    st.warning("This Keras version loaded the Lambda model in safe mode.")
st.markdown("And trusting the file is not enough: loaded with `safe_mode=False`, the bytecode "
            "comes back without the module it was written in, so this lambda's call to "
            "`euclidean_distance` fails with a `NameError`. A registered custom layer (section 3) "
            "is saved as a class name plus its `get_config()` numbers, and loads anywhere the "
            "class is importable.")

# --- 2. keras.ops ----------------------------------------------------------------------------
st.header("2 · From `K.*` to `keras.ops`", divider="gray")
st.markdown("The book imports `from keras import backend as K`. In Keras 3 the math lives in "
            "**`keras.ops`** (NumPy-like names, the same code on TensorFlow, JAX or PyTorch); "
            "graph-era helpers became ordinary objects. Each Keras 3 line below just ran on")
cols = st.columns(2)
cols[0].code(f"x = {backend.X.tolist()}", language="python")
cols[1].code(f"y = {backend.Y.tolist()}", language="python")


@st.cache_data
def ops_table() -> str:
    return view.ops_table()


st.markdown(ops_table())
st.caption("Gradients belong to the backend in Keras 3: with TensorFlow, `tf.GradientTape`.")

# --- 3. Local Response Normalization ----------------------------------------------------------
st.header("3 · A custom layer: Local Response Normalization", divider="gray")
st.markdown(
    "The book writes LRN, the normalization of AlexNet's days, as its own layer. Each "
    "activation is divided by $(k + \\alpha\\,s)^{\\beta}$, where $s$ sums over all channels "
    "the mean squared activation in the $n\\times n$ window around the pixel: strong responses "
    "in a busy neighbourhood are damped, quiet regions keep their contrast. Below, a small "
    "conv layer with eight hand-made filters looks at an image, before and after LRN.")
with st.expander("The layer's code: a `keras.layers.Layer` with `get_config`, registered"):
    st.code(inspect.getsource(lrn.LocalResponseNormalization), language="python")

@st.cache_resource(max_entries=8)
def lrn_model(n: int, alpha: float, beta: float, k: float):
    return lrn.build_demo_model(n, alpha, beta, k)


@st.cache_data(max_entries=16, show_spinner=False)
def round_trip(n: int, alpha: float, beta: float, k: float, pixels: bytes, size: tuple):
    from PIL import Image

    return lrn.save_and_load(lrn_model(n, alpha, beta, k), Image.frombytes("RGB", size, pixels))


@st.cache_data(max_entries=16, show_spinner=False)
def lrn_maps(n: int, alpha: float, beta: float, k: float, pixels: bytes, size: tuple):
    """Keyed by the settings and the image: students on the same settings share the maps."""
    from PIL import Image

    return lrn.feature_maps(lrn_model(n, alpha, beta, k), Image.frombytes("RGB", size, pixels))


@st.fragment
def lrn_demo() -> None:
    """The image and the LRN settings rerun only this section."""
    source = st.radio("Image", ["Sample test card", "My own image"], horizontal=True,
                      key="ck_image")
    image = lrn.sample_image()
    if source == "My own image":
        upload = st.file_uploader("An image (PNG, JPEG, WebP, …)", type=None, key="ck_upload")
        if upload is None:
            st.info("Upload an image; meanwhile the sample test card is shown.",
                    icon=":material/upload:")
        else:
            try:
                image = fit_within(open_image(upload.getvalue()), 160)
            except ImageError as err:
                st.error(f"{as_text(err)} The sample test card is shown instead.",
                         icon=":material/broken_image:")
            else:
                if min(image.size) < 8:
                    st.warning(f"This image is very long and thin: shrunk to {image.width}×"
                               f"{image.height} pixels, a 9×9 window (the largest n) hardly "
                               "fits in it. A squarer picture shows LRN better.",
                               icon=":material/aspect_ratio:")

    c1, c2, c3, c4 = st.columns(4)
    n = c1.select_slider("n (window side)", [1, 3, 5, 7, 9], value=5)
    alpha = c2.select_slider("alpha", [1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2], value=5e-4,
                             format_func=lambda v: f"{v:g}")
    beta = c3.slider("beta", 0.0, 1.5, 0.75, 0.05)
    k = c4.slider("k", 0.5, 5.0, 2.0, 0.5)


    maps = lrn_maps(n, alpha, beta, k, image.tobytes(), image.size)
    st.caption("Input pixels are 0–255, as in the networks LRN was made for. Each map is stretched "
               "from black (its minimum) to white (its maximum), so look at how the contrast "
               "*within* a map changes.")
    left, right = st.columns([1, 2])
    left.image(displayable(image), caption="input", width="stretch")
    left.image(displayable(lrn.to_pixels(maps.divisor)), width="stretch",
               caption=f"what LRN divided by, (k + alpha·s)^beta: from {maps.divisor.min():.3g} "
                       f"(black) to {maps.divisor.max():.3g} (white)")
    with right:
        st.image([displayable(lrn.before_after(maps.before[..., c], maps.after[..., c]), 200)
                  for c in range(len(lrn.FILTERS))],
                 caption=[f"{name}: before | after" for name in lrn.FILTERS], width=200)
    st.altair_chart(view.peaks(maps.before, maps.after, lrn.FILTERS), width="stretch")


    trip = round_trip(n, alpha, beta, k, image.tobytes(), image.size)
    st.markdown("**Does it serialize?** The demo model was just saved to a `.keras` file in a "
                "temporary folder and loaded back with `keras.saving.load_model(path, "
                "safe_mode=True)`:")
    if trip.max_difference == 0:
        st.success(f"Loaded back as `{trip.layer_type}` ({trip.file_bytes / 1024:.0f} KiB file); "
                   "its outputs on this image equal the original's exactly.",
                   icon=":material/task_alt:")
    else:
        st.warning(f"Loaded back as `{trip.layer_type}`, but the outputs differ by up to "
                   f"{trip.max_difference:.3g}.")
    st.json({key: trip.config[key] for key in ("name", "n", "alpha", "beta", "k")}, expanded=True)


lrn_demo()

# --- 4. kernel_initializer lab -----------------------------------------------------------------
st.header("4 · The kernel_initializer lab", divider="gray")
st.markdown(
    "Which initial weights let a deep network learn? The book notes that no theory settles it; "
    "experiments do. Pick initializers for a small deep MLP on digits: every Dense kernel "
    "starts from the same initializer (biases at zero). At initialization we look at each "
    "layer's **activations** and at the **gradients** of the loss with respect to its "
    "kernel; then a short SGD run (momentum 0.9) shows who learns.")

path = locate_or_explain("mnist", "training on real MNIST digits",
                         works="sections 1–3, and this lab on synthetic stand-in digits")
data_source = str(path) if path else "synthetic"
if path is None:
    st.caption("The lab runs on **synthetic stand-in digits** instead: ten random blob "
               "shapes, shifted and noisy. The lessons about initializers hold the same.")


@st.cache_data(max_entries=2, show_spinner="Loading the digits…")
def digits(source: str):
    return ini.synthetic_digits() if source == "synthetic" else ini.load_digits()


with st.form("initializer_form"):
    chosen = st.multiselect("Initializers", list(ini.CHOICES), default=list(ini.DEFAULT_CHOICES),
                            key="ck_initializers")
    c1, c2, c3 = st.columns(3)
    activation = c1.radio("Activation", ini.ACTIVATIONS, horizontal=True)
    depth = c2.slider("Hidden layers (64 units each)", 2, 8, 5)
    steps = c3.select_slider("SGD steps (batches of 64)", [100, 200, 300, 500], value=300)
    submitted = st.form_submit_button("Run the experiment", type="primary",
                                      icon=":material/science:")
if submitted:
    st.session_state["initializer_none"] = not chosen
if st.session_state.get("initializer_none"):
    st.warning("Pick at least one initializer.", icon=":material/checklist:")
elif submitted:
    lab = (tuple(chosen), activation, depth, steps)
    # the same experiment asked by several students runs once; its result is shared
    jobs_view.submit("initializer_job", "training",
                     view.experiment_work(*lab, *digits(data_source)),
                     key=f"initializers:{lab}:{data_source}")

job = jobs_view.follow("initializer_job", "Your experiment")
if job is None and "initializer_job" not in st.session_state:
    st.info("Choose, then press **Run the experiment** (a few seconds per initializer; the "
            "server runs one experiment at a time for the whole class).",
            icon=":material/science:")
elif job is not None and job.state == "failed":
    st.error(f"The experiment failed: {as_text(job.error)}")


@st.fragment
def lab_results(result) -> None:
    """The charts of a finished experiment; the histogram switch reruns only these."""
    st.subheader("At initialization")
    kind = st.segmented_control("Histograms of", ["activation", "gradient"], default="activation",
                                format_func={"activation": "activations",
                                             "gradient": "kernel gradients"}.get)
    st.altair_chart(view.histograms(result, kind or "activation"))
    st.caption("One row per initializer, one column per layer (the output layer has gradients "
               "only). Each cell has its own x range: read the axis numbers.")
    st.altair_chart(view.spread_by_depth(result))
    if flat := view.flat_initializers(result):
        st.caption(f"Missing from the log axes, which have no zero: **{', '.join(flat)}**, "
                   "whose spread is exactly 0. With all-zero weights every unit of a layer "
                   "computes the same thing and gets the same gradient (here none at all), so "
                   "the units can never become different: the symmetry is never broken.")

    st.subheader("A short training run")
    st.altair_chart(view.loss_curves(result))
    summary = result.summary[["initializer", "first_loss", "final_loss", "val_accuracy",
                              "diverged", "seconds"]]
    st.dataframe(summary, hide_index=True, column_config={
        "first_loss": st.column_config.NumberColumn("loss at start", format="%.4g"),
        "final_loss": st.column_config.NumberColumn("validation loss at end", format="%.3f"),
        "val_accuracy": st.column_config.NumberColumn("validation accuracy", format="percent"),
        "diverged": st.column_config.CheckboxColumn("diverged (NaN)"),
        "seconds": st.column_config.NumberColumn("seconds", format="%.1f")})
    st.caption(f"{'MNIST' if path else 'Synthetic'} digits: 80 % train, 20 % validation "
               "(a fixed split), seed 0. Rerun from the command line: "
               "`python -m core bench initializers --all`.")


if job is not None and job.state == "done":
    lab_results(job.result)
