"""Autoencoders: squeeze images into a few numbers, rebuild them, and play with the code."""

import altair as alt
import numpy as np
import streamlit as st

from core import data as datalayer
from core.autoencoder import data, explore, models, preprocess, training
from core.images import ImageError
from pages.common import locate_or_explain

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


@st.cache_resource(max_entries=8, show_spinner="Loading the model…")
def shipped(dataset: str, kind: str):
    return training.load_shipped(dataset, kind)


def model_or_warn(dataset: str, kind: str):
    try:
        return shipped(dataset, kind)
    except (FileNotFoundError, ValueError, OSError) as err:
        st.warning(f"The {DATASETS[dataset]} {MODEL_NAMES[kind]} model is not available: {err}")
        return None, None


@st.cache_data(max_entries=2, show_spinner="Reading the images…")
def display_set(dataset: str):
    """Images the models never trained on: the validation digits, or Fashion's test set."""
    splits = data.load(dataset)
    return data.as_float(splits.x_test), splits.y_test


def images_or_explain(dataset: str, what_for: str):
    if locate_or_explain(data.DATASETS[dataset], what_for) is None:
        return None
    try:
        return display_set(dataset)
    except (datalayer.DataNotFound, data.DataFormatError, OSError) as err:
        st.error(f"The {DATASETS[dataset]} images could not be read: {err}")
        return None


def image_row(images, captions) -> None:
    for col, image, caption in zip(st.columns(len(images)), images, captions, strict=True):
        col.image(explore.zoom(image), caption=caption, width="stretch")


# --- 1. Gallery ----------------------------------------------------------------------------------
st.header("1 · Originals and their reconstructions")
left, mid, right = st.columns([2, 2, 1], vertical_alignment="bottom")
g_dataset = left.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get, key="ae_g_data")
g_kind = mid.selectbox("Model", list(models.KINDS), index=1, format_func=MODEL_NAMES.get,
                       key="ae_g_model")
if right.button("Reshuffle", icon=":material/shuffle:", key="ae_shuffle"):
    st.session_state["ae_seed"] = st.session_state.get("ae_seed", 0) + 1
model, card = model_or_warn(g_dataset, g_kind)
shown = images_or_explain(g_dataset, "the gallery")
if model is not None and shown is not None:
    x, y = shown
    pick = explore.pick(8, len(x), st.session_state.get("ae_seed", 0))
    out, errors = explore.reconstruct(model, x[pick])
    names = data.CLASS_NAMES[g_dataset]
    st.caption("Originals (never seen in training):")
    image_row(x[pick], [names[int(c)] for c in y[pick]])
    st.caption(f"Rebuilt from {card['code_size']} numbers each:")
    image_row(out, [f"error {e:.3f}" for e in errors])
    val = card["metrics"]["validation"]
    st.markdown(f"Mean error of these 8: **{errors.mean():.3f}**; over all "
                f"{val['images']} validation images: **{val['bce']:.3f}** "
                f"(PSNR {val['psnr_db']:.1f} dB). Model: {card['description']}; "
                f"{card['parameters']:,} parameters.")

# --- 2. Denoising --------------------------------------------------------------------------------
st.header("2 · Denoising")
st.markdown(
    "Train the same network on **noisy inputs** with the **clean images as targets** and it "
    "learns to remove the noise: it can only rebuild what looks like the training data.")
n_dataset = st.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get, key="ae_n_data")
noise = st.slider("Noise level (standard deviation of the Gaussian noise added)", 0.0, 0.8,
                  0.3, 0.05, key="ae_noise")
denoiser, _ = model_or_warn(n_dataset, "denoise")
plain, _ = model_or_warn(n_dataset, "conv")
shown = images_or_explain(n_dataset, "the denoising demo")
if denoiser is not None and shown is not None:
    x, _ = shown
    clean = x[explore.pick(6, len(x), st.session_state.get("ae_seed", 0) + 100)]
    dirty = explore.noisy(clean, noise, seed=1)
    cleaned, errors = explore.reconstruct(denoiser, dirty, clean)
    st.caption("Noisy input:")
    image_row(dirty, [""] * len(dirty))
    st.caption("Denoised output:")
    image_row(cleaned, [f"error {e:.3f}" for e in errors])
    st.caption("Clean original:")
    image_row(clean, [""] * len(clean))
    if plain is not None:
        _, plain_errors = explore.reconstruct(plain, dirty, clean)
        st.markdown(f"Mean error against the clean images: denoiser **{errors.mean():.3f}**, "
                    f"the plain convolutional autoencoder **{plain_errors.mean():.3f}** (it "
                    "was never shown noise, so it tries to copy it).")

# --- 3. Draw or upload ---------------------------------------------------------------------------
st.header("3 · Your own digit")
st.markdown(
    "Draw a digit, or upload any picture (a photo of a digit on paper works). It is prepared "
    "like MNIST: grayscale, dark background, cropped, fitted into 20×20 and centred by its "
    "centre of mass in 28×28.")
u_dataset = st.selectbox("Model trained on", list(DATASETS), format_func=DATASETS.get,
                         key="ae_u_data")
u_kind = st.selectbox("Model", list(models.KINDS), index=1, format_func=MODEL_NAMES.get,
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
mine = None
try:
    if upload is not None:
        mine = preprocess.from_bytes(upload.getvalue())
    elif drawing is not None and np.asarray(drawing)[..., :3].max() > 0:
        mine = preprocess.from_canvas(drawing)
except ImageError as err:
    st.warning(str(err))
st.session_state["ae_mine"] = mine
u_model, u_card = model_or_warn(u_dataset, u_kind)
if mine is None:
    st.info("Draw on the black square or upload an image to see its reconstruction.")
elif u_model is not None:
    out, (error,) = explore.reconstruct(u_model, mine[None, ..., None])
    worse = explore.percentile_of(error, u_card["validation_bce_percentiles"])
    a, b, c = st.columns([1, 1, 2])
    a.image(explore.zoom(mine, 6), caption="what the model sees (28×28)")
    b.image(explore.zoom(out[0], 6), caption="its reconstruction")
    c.metric("Reconstruction error (BCE)", f"{error:.3f}")
    c.markdown(f"Worse than **{worse:.0f}%** of the validation images of "
               f"{DATASETS[u_dataset]}. A high error means *this does not look like what "
               "the model was trained on*: see section 5.")

# --- 4. Latent map -------------------------------------------------------------------------------
st.header("4 · The latent map")
st.markdown(
    "With a code of only **2 numbers**, every image becomes a point on a plane. Similar images "
    "land close together, though nobody told the model the classes. Click a point (or use the "
    "sliders) to decode that spot of the plane.")
l_dataset = st.selectbox("Dataset", list(DATASETS), format_func=DATASETS.get, key="ae_l_data")
latent, l_card = model_or_warn(l_dataset, "latent2d")
if latent is not None:
    (lo1, hi1), (lo2, hi2) = l_card["code_range"]
    chosen = None
    shown = images_or_explain(l_dataset, "the map of test images")
    if shown is not None:
        x, y = shown
        frame = explore.latent_frame(latent, x[:2000], y[:2000], data.CLASS_NAMES[l_dataset])
        select = alt.selection_point(name="pick", fields=["index"], on="click")
        chart = alt.Chart(frame).mark_circle(size=30, opacity=0.7).encode(
            x=alt.X("z1", title="code 1"), y=alt.Y("z2", title="code 2"),
            color=alt.Color("class:N", sort=data.CLASS_NAMES[l_dataset]),
            tooltip=["class", alt.Tooltip("z1", format=".2f"), alt.Tooltip("z2", format=".2f")],
        ).add_params(select).properties(height=420)
        event = st.altair_chart(chart, on_select="rerun", key="ae_latent_chart")
        points = (event.get("selection", {}).get("pick") or []) if event else []
        if points and "index" in points[0]:
            row = frame.iloc[int(points[0]["index"])]
            chosen = (float(row.z1), float(row.z2))
    s1, s2, view = st.columns([2, 2, 1])
    z1 = s1.slider("code 1", float(lo1), float(hi1), float((lo1 + hi1) / 2), key="ae_z1")
    z2 = s2.slider("code 2", float(lo2), float(hi2), float((lo2 + hi2) / 2), key="ae_z2")
    z = chosen or (z1, z2)
    view.image(explore.zoom(explore.decode(latent, [z])[0], 4),
               caption=f"decoded ({z[0]:.2f}, {z[1]:.2f})")
    if shown is not None:
        st.subheader("Interpolate between two images")
        st.markdown("Decode the points on the straight line between two images' 32-number "
                    "codes (convolutional model): the picture morphs smoothly.")
        conv, _ = model_or_warn(l_dataset, "conv")
        i_col, j_col = st.columns(2)
        i = i_col.number_input("First image (index)", 0, len(x) - 1, 0, key="ae_i")
        j = j_col.number_input("Second image (index)", 0, len(x) - 1, 1, key="ae_j")
        if conv is not None:
            path = explore.interpolate(conv, x[int(i)], x[int(j)], steps=8)
            image_row([x[int(i)], *path, x[int(j)]], ["A", *[""] * len(path), "B"])

# --- 5. Anomaly score ----------------------------------------------------------------------------
st.header("5 · Anomaly score")
st.markdown(
    "An autoencoder rebuilds well only what resembles its training data. So its error is an "
    "**anomaly score**: a piece of clothing, random noise or a photo fed to the *digit* model "
    "reconstructs badly. The dashed line marks the error that 99% of validation digits stay "
    "under.")
digit_model, digit_card = model_or_warn("mnist", "conv")
if digit_model is not None:
    percentiles = digit_card["validation_bce_percentiles"]
    groups = {"digits (validation, from the model card)": np.asarray(percentiles)}
    if datalayer.availability("fashion-mnist").path is not None:
        fashion = images_or_explain("fashion", "the clothes group")
        if fashion is not None:
            groups["clothes (Fashion-MNIST)"] = explore.reconstruct(
                digit_model, fashion[0][:300])[1]
    groups["random noise"] = explore.reconstruct(digit_model, explore.random_noise(100))[1]
    if st.session_state.get("ae_mine") is not None:
        groups["your image (section 3)"] = explore.reconstruct(
            digit_model, st.session_state["ae_mine"][None, ..., None])[1]
    frame = explore.errors_frame(groups)
    threshold = percentiles[99]
    base = alt.Chart(frame).encode(
        x=alt.X("bce:Q", title="reconstruction error (BCE, log scale)",
                scale=alt.Scale(type="log")),
        y=alt.Y("group:N", title=None, sort=list(groups)))
    dots = base.mark_tick(thickness=2, size=18, opacity=0.5).encode(
        color=alt.Color("group:N", legend=None), tooltip=[alt.Tooltip("bce", format=".3f")])
    rule = alt.Chart({"values": [{"t": threshold}]}).mark_rule(strokeDash=[6, 4]).encode(
        x="t:Q")
    st.altair_chart(dots + rule, width="stretch")
    flagged = {name: float((np.asarray(e) > threshold).mean() * 100) for name, e in groups.items()}
    st.markdown(" · ".join(f"{name}: **{share:.0f}%** above the line"
                           for name, share in flagged.items()))
