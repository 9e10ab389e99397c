"""Autoencoders: squeeze images into a few numbers, rebuild them, and play with the code."""

import numpy as np
import streamlit as st

from core import datasets, mnist
from core.autoencoder import data, preprocess, training, view
from core.autoencoder.model import KINDS
from core.cards import percentile_of
from core.images import ImageError
from pages.common import locate_or_explain
from pages.shipped import shipped_model
from pages.text import as_text

DATASETS = {"mnist": "Digits (MNIST)", "fashion": "Clothes (Fashion-MNIST)"}
MODEL_NAMES = {"dense": "dense, 32-d code", "conv": "convolutional, 32-d code",
               "denoise": "denoising, 32-d code", "latent2d": "convolutional, 2-d code"}

st.title("Autoencoders: squeeze, then rebuild")
st.markdown(
    "An **autoencoder** is two networks in a row. The **encoder** squeezes a 28×28 image "
    "(784 numbers) into a short **code**: 32 numbers here, or even 2. The **decoder** rebuilds "
    "the image from that code alone. Trained only to copy its input through the bottleneck, "
    "it must learn what digits (or clothes) have in common. Each model below is built with "
    "the functional API as two separate `Model`s, `encoder` and `decoder`, composed into one; "
    "the **error** under each picture is its mean per-pixel binary cross-entropy (BCE): lower "
    "is a better copy.")


@shipped_model(show_spinner="Loading the model…")
def shipped(dataset: str, kind: str):
    return training.load_shipped(dataset, kind)


def model_or_warn(dataset: str, kind: str):
    try:
        return shipped(dataset, kind)
    except (FileNotFoundError, ValueError, OSError) as err:
        st.warning(f"The {DATASETS[dataset]} {MODEL_NAMES[kind]} model is not available: "
                   f"{as_text(err)}")
        return None, None


@st.cache_resource(max_entries=2, show_spinner="Reading the images…")
def display_set(dataset: str):
    """Images the models never trained on: the validation digits, or Fashion's test set.
    A resource, not data: every rerun shares the arrays (read only) instead of copying 30 MB."""
    splits = data.load(dataset)
    return data.as_float(splits.x_test), splits.y_test


def images_or_explain(dataset: str, what_for: str):
    if locate_or_explain(data.DATASETS[dataset], what_for, works="your own digit, the latent "
                         "map's sliders and the anomaly score, from the shipped models") is None:
        return None
    try:
        return display_set(dataset)
    except (datasets.DataNotFound, mnist.DataFormatError, OSError) as err:
        st.error(f"The {DATASETS[dataset]} images could not be read: {as_text(err)}")
        return None


def image_row(images, captions) -> None:
    for col, image, caption in zip(st.columns(len(images)), images, captions, strict=True):
        col.image(view.zoom(image), caption=caption, width="stretch")


# The sections below are fragments: a widget reruns its own section only. Model outputs are
# cached by their inputs, so students on the same settings share them.
@st.cache_data(max_entries=256, show_spinner=False)
def rebuilt_gallery(dataset: str, kind: str, seed: int):
    x, _ = display_set(dataset)
    pick = view.pick(8, len(x), seed)
    return (pick, *view.reconstruct(shipped(dataset, kind)[0], x[pick]))


@st.cache_data(max_entries=256, show_spinner=False)
def rebuilt_noisy(dataset: str, noise: float, seed: int, with_plain: bool):
    x, _ = display_set(dataset)
    clean = x[view.pick(6, len(x), seed)]
    dirty = view.noisy(clean, noise, seed=1)
    cleaned, errors = view.reconstruct(shipped(dataset, "denoise")[0], dirty, clean)
    plain_errors = (view.reconstruct(shipped(dataset, "conv")[0], dirty, clean)[1]
                    if with_plain else None)
    return clean, dirty, cleaned, errors, plain_errors


# --- 1. Gallery ----------------------------------------------------------------------------------
st.header("1 · Originals and their reconstructions")


@st.fragment
def gallery() -> None:
    left, mid, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    g_dataset = left.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get,
                               key="ae_g_data")
    g_kind = mid.selectbox("Model", list(KINDS), index=1, format_func=MODEL_NAMES.get,
                           key="ae_g_model")
    if right.button("Reshuffle", icon=":material/shuffle:", key="ae_shuffle"):
        st.session_state["ae_seed"] = st.session_state.get("ae_seed", 0) + 1
    model, card = model_or_warn(g_dataset, g_kind)
    shown = images_or_explain(g_dataset, "the gallery")
    if model is None or shown is None:
        return
    x, y = shown
    pick, out, errors = rebuilt_gallery(g_dataset, g_kind, st.session_state.get("ae_seed", 0))
    names = data.CLASS_NAMES[g_dataset]
    st.caption("Originals (never seen in training):")
    image_row(x[pick], [names[int(c)] for c in y[pick]])
    st.caption(f"Rebuilt from {card.code_size} numbers each:")
    image_row(out, [f"error {e:.3f}" for e in errors])
    val = card.validation
    st.markdown(f"Mean error of these 8: **{errors.mean():.3f}**; over all "
                f"{val['images']} validation images: **{val['bce']:.3f}** "
                f"(PSNR {val['psnr_db']:.1f} dB). Model: {card.description}; "
                f"{card.parameters:,} parameters.")


gallery()

# --- 2. Denoising --------------------------------------------------------------------------------
st.header("2 · Denoising")
st.markdown(
    "Train the same network on **noisy inputs** with the **clean images as targets** and it "
    "learns to remove the noise: it can only rebuild what looks like the training data. It "
    f"saw noise levels up to {training.MAX_NOISE}; push the slider past that.")


@st.fragment
def denoising() -> None:
    n_dataset = st.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get,
                             key="ae_n_data")
    noise = st.slider("Noise level (standard deviation of the Gaussian noise added)", 0.0, 0.8,
                      0.3, 0.05, key="ae_noise")
    denoiser, _ = model_or_warn(n_dataset, "denoise")
    plain, _ = model_or_warn(n_dataset, "conv")
    shown = images_or_explain(n_dataset, "the denoising demo")
    if denoiser is None or shown is None:
        return
    clean, dirty, cleaned, errors, plain_errors = rebuilt_noisy(
        n_dataset, noise, st.session_state.get("ae_seed", 0) + 100, plain is not None)
    st.caption("Noisy input:")
    image_row(dirty, [""] * len(dirty))
    st.caption("Denoised output:")
    image_row(cleaned, [f"error {e:.3f}" for e in errors])
    st.caption("Clean original:")
    image_row(clean, [""] * len(clean))
    if plain_errors is not None:
        st.markdown(f"Mean error against the clean images: denoiser **{errors.mean():.3f}**, "
                    f"the plain convolutional autoencoder **{plain_errors.mean():.3f}** (it "
                    "was never shown noise, so it tries to copy it).")


denoising()

# --- 3. Draw or upload ---------------------------------------------------------------------------
st.header("3 · Your own digit")
st.markdown(
    "Draw a digit, or upload any picture (a photo of a digit on paper works). It is prepared "
    "like MNIST: grayscale, dark background, cropped, fitted into 20×20 and centred by its "
    "centre of mass in 28×28.")
left, right = st.columns(2)
u_dataset = left.selectbox("Model trained on", list(DATASETS), format_func=DATASETS.get,
                           key="ae_u_data")
u_kind = right.selectbox("Model", list(KINDS), index=1, format_func=MODEL_NAMES.get,
                         key="ae_u_model")
draw_col, upload_col = st.columns(2)


def canvas_drawing():
    """The canvas' RGBA pixels, or None (nothing drawn, or the component is unavailable)."""
    try:
        from streamlit_drawable_canvas import st_canvas

        with draw_col:
            result = st_canvas(stroke_width=18, stroke_color="#FFFFFF",
                               background_color="#000000", height=224, width=224,
                               return_image_data=True, key="ae_canvas")
        return result.image_data
    except Exception as err:  # noqa: BLE001 - a third-party component; upload still works
        draw_col.warning(f"The drawing canvas is unavailable here ({type(err).__name__}); "
                         "upload a picture instead.")
        return None


drawing = canvas_drawing()
upload = upload_col.file_uploader("…or upload an image", key="ae_upload",
                                  type=None, help="Any image format, any size.")
if upload is not None:
    upload_col.caption("The upload is shown below; remove it to use your drawing.")
mine = None
try:
    if upload is not None:
        mine = preprocess.from_bytes(upload.getvalue())
    elif drawing is not None and np.asarray(drawing)[..., :3].max() > 0:
        mine = preprocess.from_canvas(drawing)
except ImageError as err:
    st.warning(as_text(err))
u_model, u_card = model_or_warn(u_dataset, u_kind)
if mine is None:
    st.info("Draw on the black square or upload an image to see its reconstruction.")
elif u_model is not None:
    out, (error,) = view.reconstruct(u_model, mine[None, ..., None])
    better = percentile_of(error, u_card.validation_bce_percentiles)
    a, b, c = st.columns([1, 1, 2])
    a.image(view.zoom(mine, 6), caption="what the model sees (28×28)")
    b.image(view.zoom(out[0], 6), caption="its reconstruction")
    c.metric("Reconstruction error (BCE)", f"{error:.3f}")
    c.markdown(f"**{better:.0f}%** of the validation images of {DATASETS[u_dataset]} are "
               "rebuilt better than yours. A high error means *this does not look like what "
               "the model was trained on*: see section 5.")

# --- 4. Latent map -------------------------------------------------------------------------------
st.header("4 · The latent map")
st.markdown(
    "With a code of only **2 numbers**, every image becomes a point on a plane. Similar images "
    "land close together, though nobody told the model the classes. Click a point, or move "
    "the sliders, and the decoder draws the image for that spot (the ✚ on the map).")


@st.cache_data(max_entries=2, show_spinner="Encoding the images…")
def latent_points(dataset: str):
    """The 2-d codes of (up to) 2,000 display images."""
    x, y = display_set(dataset)
    model, _ = shipped(dataset, "latent2d")
    return view.latent_frame(model, x[:2000], y[:2000], data.CLASS_NAMES[dataset])


@st.fragment
def latent_map() -> None:
    l_dataset = st.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get, key="ae_l_data")
    latent, l_card = model_or_warn(l_dataset, "latent2d")
    if latent is None:
        return
    shown = images_or_explain(l_dataset, "the map of images")
    frame = latent_points(l_dataset) if shown is not None else None
    (lo1, hi1), (lo2, hi2) = view.code_bounds(l_card.code_range, frame)
    z_keys = (f"ae_z1_{l_dataset}", f"ae_z2_{l_dataset}")  # a slider range per dataset
    st.session_state.setdefault(z_keys[0], (lo1 + hi1) / 2)
    st.session_state.setdefault(z_keys[1], (lo2 + hi2) / 2)

    def move_sliders_to_click() -> None:
        points = st.session_state["ae_latent_chart"].get("selection", {}).get("pick")
        if points:  # empty when a click lands on no point
            st.session_state[z_keys[0]] = float(points[0]["z1"])
            st.session_state[z_keys[1]] = float(points[0]["z2"])

    z = (st.session_state[z_keys[0]], st.session_state[z_keys[1]])
    map_col, image_col = st.columns([4, 1])
    if shown is not None:
        x, y = shown
        with map_col:
            st.altair_chart(view.latent_map_chart(frame, z, data.CLASS_NAMES[l_dataset]),
                            on_select=move_sliders_to_click, key="ae_latent_chart")
    image_col.image(view.zoom(view.decode(latent, [z])[0], 4),
                    caption=f"decoded from ({z[0]:.1f}, {z[1]:.1f})")
    if shown is not None:
        near = view.nearest(frame, z)
        image_col.image(view.zoom(x[near], 4),
                        caption=f"nearest real image: {data.CLASS_NAMES[l_dataset][y[near]]}")
    s1, s2 = map_col.columns(2)
    s1.slider("code 1", float(lo1), float(hi1), key=z_keys[0])
    s2.slider("code 2", float(lo2), float(hi2), key=z_keys[1])

    if shown is not None:
        st.subheader("Interpolate between two images")
        st.markdown("Encode two images with the convolutional model (32 numbers each), walk "
                    "the straight line between the two codes and decode each step: the "
                    "decoder draws something plausible all the way.")
        names = data.CLASS_NAMES[l_dataset]
        a_col, b_col, again = st.columns([2, 2, 1], vertical_alignment="bottom")
        a_class = a_col.selectbox("From", range(10), index=1, format_func=names.__getitem__,
                                  key="ae_from")
        b_class = b_col.selectbox("To", range(10), index=8, format_func=names.__getitem__,
                                  key="ae_to")
        if again.button("Another pair", icon=":material/shuffle:", key="ae_pair"):
            st.session_state["ae_pair_seed"] = st.session_state.get("ae_pair_seed", 0) + 1
        seed = st.session_state.get("ae_pair_seed", 0)
        i, j = view.example_of(y, a_class, seed), view.example_of(y, b_class, seed + 1)
        conv, _ = model_or_warn(l_dataset, "conv")
        if conv is not None:
            path = view.interpolate(conv, x[i], x[j], steps=8)
            image_row([x[i], *path, x[j]], [names[a_class], *[""] * len(path), names[b_class]])


latent_map()

# --- 5. Anomaly score ----------------------------------------------------------------------------
st.header("5 · Anomaly score")
st.markdown(
    "An autoencoder rebuilds well only what resembles its training data. So its error is an "
    "**anomaly score**: a piece of clothing, random noise or your own picture (section 3) fed "
    "to the *digit* model reconstructs badly. The dashed line marks the error that 99% of "
    "validation digits stay under.")
digit_model, digit_card = model_or_warn("mnist", "conv")


@st.cache_data(max_entries=2, show_spinner="Scoring clothes and noise…")
def outsider_errors(with_clothes: bool) -> dict:
    """Per-image errors of the digit model on 300 clothes (when at hand) and 100 noise images."""
    model, _ = shipped("mnist", "conv")
    groups = {}
    if with_clothes:
        groups["clothes"] = view.reconstruct(model, display_set("fashion")[0][:300])[1]
    groups["random noise"] = view.reconstruct(model, view.random_noise(100))[1]
    return groups


if digit_model is not None:
    percentiles = digit_card.validation_bce_percentiles
    groups = {"digits": np.asarray(percentiles)}  # the card's validation distribution
    with_clothes = datasets.availability("fashion-mnist").path is not None
    try:
        groups |= outsider_errors(with_clothes)
    except (datasets.DataNotFound, mnist.DataFormatError, OSError) as err:
        st.warning(f"The clothes could not be read: {as_text(err)}")
        groups |= outsider_errors(False)
    if mine is not None:
        groups["your image"] = view.reconstruct(digit_model, mine[None, ..., None])[1]
    threshold = percentiles[99]
    st.altair_chart(view.anomaly_chart(groups, threshold), width="stretch")
    st.markdown(view.above_the_line(groups, threshold))
    st.caption("The digits' row is the spread of errors over the 500 validation digits (their "
               "percentiles, from the model card); without Fashion-MNIST the clothes are left "
               "out.")
