"""Autoencoders: squeeze images into a few numbers, rebuild them, and play with the code."""

import numpy as np
import streamlit as st

from core import datasets, i18n, mnist
from core.autoencoder import data, inference, preprocess, training, view
from core.autoencoder.model import KINDS, SHAPE, code_size
from core.cards import percentile_of
from core.catalog import PAGES
from core.i18n import _
from core.images import ImageError
from pages.common import locate_or_explain, map_terms, reader_asks
from pages.shipped import shipped_model
from pages.text import as_text

GAN_PAGE = "pages/gan.py"


@shipped_model(show_spinner=False)
def shipped(dataset: str, kind: str):
    return training.load_shipped(dataset, kind)


@st.cache_resource(max_entries=2, show_spinner=False)
def display_set(dataset: str):
    """A resource, not data: every rerun shares the arrays (read only) instead of copying them."""
    return data.display_set(dataset)


# Model outputs are cached by their inputs, so students on the same settings share them.
@st.cache_data(max_entries=256, show_spinner=False)
def rebuilt_gallery(dataset: str, kind: str, seed: int):
    x, _labels = display_set(dataset)
    pick = view.pick(8, len(x), seed)
    return (pick, *inference.reconstruct(shipped(dataset, kind)[0], x[pick]))


@st.cache_data(max_entries=256, show_spinner=False)
def rebuilt_noisy(dataset: str, noise: float, seed: int, with_plain: bool) -> dict:
    x, _labels = display_set(dataset)
    plain = shipped(dataset, "conv")[0] if with_plain else None
    return inference.denoised(shipped(dataset, "denoise")[0], plain,
                              x[view.pick(6, len(x), seed)], noise)


@st.cache_data(max_entries=2, show_spinner=False)
def latent_points(dataset: str, language: str):
    """The 2-d codes of (up to) 2,000 display images, their classes named in `language`."""
    x, y = display_set(dataset)
    names = [_(name) for name in data.CLASS_NAMES[dataset]]
    return inference.latent_frame(shipped(dataset, "latent2d")[0], x[:2000], y[:2000], names)


@st.cache_data(max_entries=2, show_spinner=False)
def outsider_errors(with_clothes: bool) -> dict:
    """The digit model's errors on 300 clothes (when at hand) and on noise images."""
    clothes = display_set("fashion")[0][:300] if with_clothes else None
    return inference.outsider_errors(shipped("mnist", "conv")[0], clothes)


def model_or_warn(dataset: str, kind: str):
    try:
        return shipped(dataset, kind)
    except (FileNotFoundError, ValueError, OSError) as err:
        st.warning(_("The {dataset} {model} model is not available: {error}",
                     dataset=_(data.TITLES[dataset]), model=view.model_name(kind),
                     error=as_text(err)))
        return None, None


def images_or_explain(dataset: str, what_for: str):
    if locate_or_explain(data.DATASETS[dataset], what_for, works=_(
            "your own digit, the latent map's sliders and the anomaly score, from the shipped "
            "models")) is None:
        return None
    try:
        with st.spinner(_("Reading the images…")):
            return display_set(dataset)
    except (datasets.DataNotFound, mnist.DataFormatError, OSError) as err:
        st.error(_("The {dataset} images could not be read: {error}",
                   dataset=_(data.TITLES[dataset]), error=as_text(err)))
        return None


def image_row(images, captions) -> None:
    for col, image, caption in zip(st.columns(len(images)), images, captions, strict=True):
        col.image(view.zoom(image), caption=caption, width="stretch")


def pick_dataset(key: str, label: str | None = None, column=st) -> str:
    return column.selectbox(label or _("Dataset"), list(data.DATASETS), key=key,
                            format_func=lambda d: _(data.TITLES[d]))


def pick_model(key: str, column=st) -> str:
    return column.selectbox(_("Model"), list(KINDS), index=1, format_func=view.model_name,
                            key=key)


# --- sections ------------------------------------------------------------------------------------
def introduction() -> None:
    sizes = view.code_sizes()
    st.title(_("Autoencoders: squeeze, then rebuild"))
    st.markdown(_(
        "An **autoencoder** is two networks in a row. The **encoder** squeezes a 28×28 image "
        "({pixels} numbers) into a short **code**: {large} numbers here, or even {small}. The "
        "**decoder** rebuilds the image from that code alone. Trained only to copy its input "
        "through the bottleneck, it must learn what digits (or clothes) have in common. Each "
        "model below is built with the functional API as two separate `Model`s, `encoder` and "
        "`decoder`, composed into one.", pixels=int(np.prod(SHAPE)), large=sizes[0],
        small=sizes[-1]))


@st.fragment
def gallery() -> None:
    st.header(_("1 · Originals and their reconstructions"), anchor="reconstructions")
    st.markdown(_(
        "The **error** under each picture is its **binary cross-entropy (BCE)**: for every "
        "pixel, how surprised the model's output is by the true brightness (0 = black, 1 = "
        "white), averaged over the {pixels} pixels. 0 would be a perfect copy; lower is "
        "better. Training lowers exactly this number.", pixels=int(np.prod(SHAPE))))
    left, mid, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    dataset, kind = pick_dataset("ae_g_data", column=left), pick_model("ae_g_model", mid)
    if right.button(_("Reshuffle"), icon=":material/shuffle:", key="ae_shuffle"):
        st.session_state["ae_seed"] = st.session_state.get("ae_seed", 0) + 1
    model, card = model_or_warn(dataset, kind)
    shown = images_or_explain(dataset, _("the gallery"))
    if model is None or shown is None:
        return
    x, y = shown
    pick, out, errors = rebuilt_gallery(dataset, kind, st.session_state.get("ae_seed", 0))
    names = data.CLASS_NAMES[dataset]
    st.caption(_("Originals (never seen in training):"))
    image_row(x[pick], [_(names[int(c)]) for c in y[pick]])
    st.caption(_("Rebuilt from {n} numbers each:", n=card.code_size))
    image_row(out, [_("error {e:.3f}", e=e) for e in errors])
    val = card.validation
    st.markdown(_(
        "Mean error of these {shown}: **{mean:.3f}**; over all {images} validation images: "
        "**{bce:.3f}**, or a **PSNR** of {psnr:.1f} dB (peak signal-to-noise ratio: ten times "
        "the log of 1 over the mean squared pixel error; higher is a closer copy, and +10 dB "
        "means ten times less squared error). Model: {description}; {parameters:,} parameters.",
        shown=len(errors), mean=errors.mean(), images=val["images"], bce=val["bce"],
        psnr=val["psnr_db"], description=_(KINDS[kind][1]), parameters=card.parameters))
    reader_asks(_("Why is it called an “auto”encoder?"), _(
        "*Auto* is Greek for *self*, as in *automobile*: an autoencoder is trained to reproduce "
        "its own input, so the input is also the target and no labels are needed. Each picture "
        "above went in, and the same picture was the answer expected back; nobody told the "
        "model which digit or garment it saw."))


@st.fragment
def denoising() -> None:
    st.header(_("2 · Denoising"), anchor="denoising")
    dataset = pick_dataset("ae_n_data")
    denoiser, card = model_or_warn(dataset, "denoise")
    plain, _plain_card = model_or_warn(dataset, "conv")
    if card is not None:
        st.markdown(_(
            "Train the same network on **noisy inputs** with the **clean images as targets** "
            "and it learns to remove the noise: it can only rebuild what looks like the "
            "training data. It saw noise levels up to {max_noise}; push the slider past that.",
            max_noise=card.training["max_noise"]))
    noise = st.slider(_("Noise level (standard deviation of the Gaussian noise added)"), 0.0,
                      0.8, 0.3, 0.05, key="ae_noise")
    shown = images_or_explain(dataset, _("the denoising demo"))
    if denoiser is None or shown is None:
        return
    result = rebuilt_noisy(dataset, noise, st.session_state.get("ae_seed", 0) + 100,
                           plain is not None)
    st.caption(_("Noisy input:"))
    image_row(result["dirty"], [""] * len(result["dirty"]))
    st.caption(_("Denoised output:"))
    image_row(result["cleaned"], [_("error {e:.3f}", e=e) for e in result["errors"]])
    st.caption(_("Clean original:"))
    image_row(result["clean"], [""] * len(result["clean"]))
    if result["plain_errors"] is not None:
        st.markdown(_("Mean error against the clean images: denoiser **{denoiser:.3f}**, the "
                      "plain convolutional autoencoder **{plain:.3f}** (it was never shown "
                      "noise, so it tries to copy it).", denoiser=result["errors"].mean(),
                      plain=result["plain_errors"].mean()))


def your_own_digit():
    """The student's drawing or upload as a 28×28 image (None without one), reconstructed."""
    st.header(_("3 · Your own digit"), anchor="your-own-digit")
    st.markdown(_(
        "Draw a digit, or upload any picture (a photo of a digit on paper works). It is "
        "prepared like MNIST: grayscale, dark background, cropped, fitted into {box}×{box} and "
        "centred by its centre of mass in {side}×{side}.", box=preprocess.BOX,
        side=preprocess.SIDE))
    left, right = st.columns(2)
    dataset = pick_dataset("ae_u_data", _("Model trained on"), left)
    kind = pick_model("ae_u_model", right)
    draw_col, upload_col = st.columns(2)
    drawing = canvas_drawing(draw_col)
    upload = upload_col.file_uploader(_("…or upload an image"), key="ae_upload", type=None,
                                      help=_("Any image format, any size."))
    if upload is not None:
        upload_col.caption(_("The upload is shown below; remove it to use your drawing."))
    mine = None
    try:
        if upload is not None:
            mine = preprocess.from_bytes(upload.getvalue())
        elif drawing is not None and np.asarray(drawing)[..., :3].max() > 0:
            mine = preprocess.from_canvas(drawing)
    except ImageError as err:
        st.warning(as_text(err))
    model, card = model_or_warn(dataset, kind)
    if mine is None:
        st.info(_("Draw on the black square or upload an image to see its reconstruction."))
    elif model is not None:
        out, (error,) = inference.reconstruct(model, mine[None, ..., None])
        better = percentile_of(error, card.validation_bce_percentiles)
        a, b, c = st.columns([1, 1, 2])
        a.image(view.zoom(mine, 6), caption=_("what the model sees (28×28)"))
        b.image(view.zoom(out[0], 6), caption=_("its reconstruction"))
        c.metric(_("Reconstruction error (BCE)"), f"{error:.3f}")
        c.markdown(_("**{share:.0f}%** of the validation images of {dataset} are rebuilt "
                     "better than yours. A high error means *this does not look like what the "
                     "model was trained on*: see section 5.", share=better,
                     dataset=_(data.TITLES[dataset])))
    return mine


def canvas_drawing(column):
    """The canvas' RGBA pixels, or None (nothing drawn, or the component is unavailable)."""
    try:
        from streamlit_drawable_canvas import st_canvas

        with column:
            result = st_canvas(stroke_width=18, stroke_color="#FFFFFF",
                               background_color="#000000", height=224, width=224,
                               return_image_data=True, key="ae_canvas")
        return result.image_data
    except Exception as err:  # noqa: BLE001 - a third-party component; upload still works
        column.warning(_("The drawing canvas is unavailable here ({error}); upload a picture "
                         "instead.", error=type(err).__name__))
        return None


@st.fragment
def latent_map() -> None:
    st.header(_("4 · The latent map"), anchor="latent-map")
    st.markdown(_(
        "With a code of only **{n} numbers**, every image becomes a point on a plane: the "
        "**encoder alone** places it there. Similar images land close together, though nobody "
        "told the model the classes. Click a point, or move the sliders, and the **decoder "
        "alone** draws the image for that spot (the ✚ on the map).", n=code_size("latent2d")))
    dataset = pick_dataset("ae_l_data")
    latent, card = model_or_warn(dataset, "latent2d")
    if latent is None:
        return
    shown = images_or_explain(dataset, _("the map of images"))
    frame = latent_points(dataset, i18n.language()) if shown is not None else None
    (lo1, hi1), (lo2, hi2) = view.code_bounds(card.code_range, frame)
    z_keys = (f"ae_z1_{dataset}", f"ae_z2_{dataset}")  # a slider range per dataset
    st.session_state.setdefault(z_keys[0], (lo1 + hi1) / 2)
    st.session_state.setdefault(z_keys[1], (lo2 + hi2) / 2)

    def move_sliders_to_click() -> None:
        points = st.session_state["ae_latent_chart"].get("selection", {}).get("pick")
        if points:  # empty when a click lands on no point
            st.session_state[z_keys[0]] = float(points[0]["z1"])
            st.session_state[z_keys[1]] = float(points[0]["z2"])

    z = (st.session_state[z_keys[0]], st.session_state[z_keys[1]])
    map_col, image_col = st.columns([4, 1])
    names = [_(name) for name in data.CLASS_NAMES[dataset]]
    if shown is not None:
        with map_col:
            st.altair_chart(view.latent_map_chart(frame, z, names),
                            on_select=move_sliders_to_click, key="ae_latent_chart")
    image_col.image(view.zoom(inference.decode(latent, [z])[0], 4),
                    caption=_("decoded from ({z1:.1f}, {z2:.1f})", z1=z[0], z2=z[1]))
    if shown is not None:
        x, y = shown
        near = view.nearest(frame, z)
        image_col.image(view.zoom(x[near], 4),
                        caption=_("nearest real image: {name}", name=names[y[near]]))
    s1, s2 = map_col.columns(2)
    s1.slider(_("code 1"), float(lo1), float(hi1), key=z_keys[0])
    s2.slider(_("code 2"), float(lo2), float(hi2), key=z_keys[1])
    encoder_or_decoder()
    if shown is not None:
        interpolation(dataset, *shown)


def encoder_or_decoder() -> None:
    reader_asks(_("An autoencoder rebuilds its input, so is the decoder the finished product?"),
                _("Training needs both halves: the error is measured on what the decoder "
                  "rebuilds. Afterwards each half has its own use. The **encoder alone** turns "
                  "an image into its code: the map above is nothing but codes, and codes are "
                  "what you cluster, search or feed to another model. The book's own "
                  "`lstm_autoencoder.py` keeps only the encoder: it groups Reuters news "
                  "articles by their codes with k-means (see *Sequence autoencoders*). The "
                  "**decoder alone** draws: give it a point of the map and it paints the image "
                  "at the ✚. The anomaly score (section 5) uses both halves: it is the error of "
                  "the whole round trip."))
    if any(page.path == GAN_PAGE for page in PAGES):
        st.page_link(GAN_PAGE, label=_("A plain decoder draws well only near the codes of real "
                                       "images; a GAN's generator is trained to draw from any "
                                       "point"), icon=":material/arrow_forward:")


def interpolation(dataset: str, x, y) -> None:
    st.subheader(_("Interpolate between two images"), anchor="interpolation")
    st.markdown(_(
        "Encode two images with the convolutional model ({n} numbers each), walk the straight "
        "line between the two codes and decode each step. Nothing in a plain autoencoder's "
        "training asks the codes *between* two images to decode to anything sensible: midway "
        "the decoder may draw a blend or a blur that is no digit at all. (A *variational* "
        "autoencoder adds that to its training.)", n=code_size("conv")))
    names = [_(name) for name in data.CLASS_NAMES[dataset]]
    a_col, b_col, again = st.columns([2, 2, 1], vertical_alignment="bottom")
    a_class = a_col.selectbox(_("From"), range(10), index=1, format_func=names.__getitem__,
                              key="ae_from")
    b_class = b_col.selectbox(_("To"), range(10), index=8, format_func=names.__getitem__,
                              key="ae_to")
    if again.button(_("Another pair"), icon=":material/shuffle:", key="ae_pair"):
        st.session_state["ae_pair_seed"] = st.session_state.get("ae_pair_seed", 0) + 1
    seed = st.session_state.get("ae_pair_seed", 0)
    i, j = view.example_of(y, a_class, seed), view.example_of(y, b_class, seed + 1)
    conv, _card = model_or_warn(dataset, "conv")
    if conv is not None:
        path = inference.interpolate(conv, x[i], x[j], steps=8)
        image_row([x[i], *path, x[j]], [names[a_class], *[""] * len(path), names[b_class]])


def anomaly_score(mine) -> None:
    st.header(_("5 · Anomaly score"), anchor="anomaly-score")
    st.markdown(_(
        "An autoencoder rebuilds well only what resembles its training data. So its error is an "
        "**anomaly score**: a piece of clothing, random noise or your own picture (section 3) "
        "fed to the *digit* model reconstructs badly. The dashed line marks the error that 99% "
        "of validation digits stay under."))
    digit_model, card = model_or_warn("mnist", "conv")
    if digit_model is None:
        return
    with_clothes = datasets.availability("fashion-mnist").path is not None
    try:
        outsiders = outsider_errors(with_clothes)
    except (datasets.DataNotFound, mnist.DataFormatError, OSError) as err:
        st.warning(_("The clothes could not be read: {error}", error=as_text(err)))
        outsiders = outsider_errors(False)
    own = (inference.reconstruct(digit_model, mine[None, ..., None])[1]
           if mine is not None else None)
    percentiles = card.validation_bce_percentiles
    groups = inference.anomaly_groups(percentiles, outsiders, own)
    threshold = percentiles[99]
    st.altair_chart(view.anomaly_chart(groups, threshold), width="stretch")
    st.markdown(view.above_the_line(groups, threshold))
    st.caption(_("The digits' row is the spread of errors over the {n} validation digits (their "
                 "percentiles, from the model card); without Fashion-MNIST the clothes are left "
                 "out.", n=card.split["validation"]))


introduction()
gallery()
denoising()
mine = your_own_digit()
latent_map()
anomaly_score(mine)
map_terms("autoencoders")
