"""Features: the image that most excites each channel of a SqueezeNet layer, grown from noise by
gradient ascent, beside where that channel fires on a photo."""

import numpy as np
import streamlit as st

from core.catalog import UPLOAD_LIMIT_MB
from core.features import channels, shipped, view
from core.i18n import _
from core.images import ImageError, open_image
from pages import jobs_view
from pages.common import map_terms, reader_asks
from pages.text import as_text

COLUMNS = 6  # feature images per row


@st.cache_resource(show_spinner=False)
def network():
    return view.network()


@st.cache_data(show_spinner=False, max_entries=64)
def maps_for(photo: np.ndarray, layer: str, picked: tuple[int, ...]):
    return view.activation_maps(network(), layer, photo, picked)


@st.cache_data(show_spinner=False)
def sample_photo() -> np.ndarray:
    from PIL import Image

    return view.photo_array(Image.open(shipped.SAMPLE_PHOTO))


def intro() -> None:
    st.title(_("Features: what a channel of a CNN responds to"))
    st.markdown(_(
        "Each layer of a convolutional network computes many **channels** (feature maps): one "
        "number per position of the image for each channel. A channel's number is large where "
        "the image holds whatever that channel has learned to detect: its **feature**. To see "
        "a feature, turn the question around: start from noise and change the image by "
        "**gradient ascent** until the channel responds as strongly as it can. This is the "
        "same ascent Deep Dream uses, started from noise instead of a photo, aimed at one "
        "channel instead of a whole layer."))


def pick_layer() -> tuple[str, tuple[int, ...]]:
    st.header(_("1 · A layer and its channels"), anchor="pick-a-layer")
    left, right = st.columns([2, 3])
    layer = left.selectbox(_("Layer of SqueezeNet (shallow to deep)"), channels.LAYERS,
                           index=channels.LAYERS.index("fire5_concat"), key="ft_layer",
                           format_func=lambda name: f"{name} · {_(view.LAYER_NOTES[name])}")
    default = list(shipped.default_channels(layer))
    mine = right.toggle(_("Choose the channels myself"), key="ft_mine")
    if not mine:
        right.caption(_("{k} channels spread evenly over the layer's {n}.", k=len(default),
                        n=channels.width(layer)))
        return layer, tuple(default)
    picked = right.multiselect(
        _("Channels (up to {most})", most=view.MAX_CHANNELS), range(channels.width(layer)),
        default=default[:8], key=f"ft_channels_{layer}")
    for key, values in view.channel_problems(picked):
        right.warning(_(view.PROBLEMS[key], **values), icon=":material/error:")
    return layer, tuple(sorted(picked))


def feature_grid(layer: str, picked: tuple[int, ...]) -> np.ndarray | None:
    st.header(_("2 · The image each channel wants"), anchor="feature-grid")
    if view.channel_problems(list(picked)):
        st.info(_("Choose between {least} and {most} channels above.",
                  least=view.MIN_CHANNELS, most=view.MAX_CHANNELS))
        return None
    tiles = shipped.shipped_tiles(layer, picked)
    recent = st.session_state.setdefault("ft_recent", {})
    key = view.job_key(layer, picked)
    finished = jobs_view.follow("ft_job", _("Growing the feature images"),
                                preview=lambda images: show_tiles(images, picked))
    if finished is not None and finished.state == "done" and finished.key not in recent:
        recent[finished.key] = finished.result
    elif finished is not None and finished.state == "failed":
        st.warning(_("The images did not finish: {error}", error=as_text(finished.error)))
    if tiles is None:
        tiles = recent.get(key)
    if tiles is None:
        st.info(_("These channels are not among the shipped grids (layers {layers}, "
                  "{n} channels each): they grow from noise in the server's queue, with a "
                  "progress bar.", layers=", ".join(shipped.SHIPPED_LAYERS), n=shipped.CHANNELS))
        if network() is None:
            st.warning(_("SqueezeNet (`assets/dream/squeezenet_v1_1.keras`) is not on this "
                         "machine; rebuild it with `python -m core convert squeezenet`."))
        elif st.button(_("Grow these images"), key="ft_grow", type="primary",
                       icon=":material/auto_awesome:"):
            jobs_view.submit("ft_job", "features", view.features_work(layer, picked), key=key)
        reader_asks_feature()
        return None
    show_tiles(tiles, picked)
    st.caption(_("Each image started as faint noise and was changed, step by step, to make its "
                 "channel's mean activation as large as possible."))
    reader_asks_feature()
    return tiles


def show_tiles(tiles: np.ndarray, picked: tuple[int, ...]) -> None:
    for start in range(0, len(tiles), COLUMNS):
        for column, tile, channel in zip(st.columns(COLUMNS), tiles[start:start + COLUMNS],
                                         picked[start:start + COLUMNS], strict=False):
            column.image(tile, caption=_("channel {c}", c=channel), width="stretch")


def reader_asks_feature() -> None:
    reader_asks(
        _("Deep Dream is said to capture “features”, but what is a feature?"),
        _("A feature is what one channel of a layer detects: the channel computes, at every "
          "position of the image, how much of it is there. The pictures above are each "
          "channel's answer to “what do you want to see?”: in shallow layers colours, edges "
          "and textures; deeper, eyes, fur and parts of animals, because SqueezeNet learned "
          "them to tell ImageNet's classes apart. Deep Dream amplifies whichever of these "
          "features a photo already has a little of."))


def photo_input() -> np.ndarray | None:
    st.header(_("3 · Where each channel fires on a photo"), anchor="activation-maps")
    source = st.radio(_("Photo"), ["sample", "upload"], horizontal=True, key="ft_source",
                      format_func=lambda k: {"sample": _("Chelsea the cat (shipped)"),
                                             "upload": _("My own photo")}[k])
    if source == "sample":
        return sample_photo()
    upload = st.file_uploader(_("JPEG, PNG, WebP… (up to {mb} MB)", mb=UPLOAD_LIMIT_MB),
                              type=["jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"],
                              key="ft_upload")
    if upload is None:
        st.info(_("Upload a photo to see where these channels fire on it."))
        return None
    try:
        return view.photo_array(open_image(upload.getvalue()))
    except ImageError as err:
        st.error(_("{problem} Please try another file.", problem=as_text(err)))
        return None


def activation_maps(photo: np.ndarray, layer: str, picked: tuple[int, ...],
                    tiles: np.ndarray | None) -> None:
    maps, means = maps_for(photo, layer, picked)
    st.markdown(_("Beside each feature, the photo lit where that channel responds: each map "
                  "scaled to its own strongest response, with the channel's mean activation "
                  "over the photo below it (0: the feature is nowhere in the photo)."))
    pairs = 3
    for start in range(0, len(picked), pairs):
        columns = st.columns(2 * pairs)
        for i, index in enumerate(range(start, min(start + pairs, len(picked)))):
            if tiles is not None:
                columns[2 * i].image(tiles[index], width="stretch",
                                     caption=_("channel {c}", c=picked[index]))
            columns[2 * i + 1].image(
                view.overlay(photo, maps[index], float(maps[index].max())), width="stretch",
                caption=_("mean {m:.1f}", m=float(means[index])))


def readable() -> None:
    st.header(_("4 · What makes them readable"), anchor="readable")
    plain_channels = shipped.plain_channels()
    plain = shipped.shipped_tiles("plain", plain_channels)
    shaped = shipped.shipped_tiles(shipped.PLAIN_LAYER, shipped.default_channels(
        shipped.PLAIN_LAYER))
    st.markdown(_(
        "Plain gradient ascent on the pixels also excites a channel, but with high-frequency "
        "noise nobody can read (top). Two changes give the pictures above (bottom): the image is "
        "kept as a **Fourier spectrum** whose fine-detail coefficients are scaled down "
        "(a frequency penalty: coarse patterns change faster than pixel noise), and every step "
        "looks at the image **jittered** by a random shift of a few pixels, so only patterns "
        "that excite the channel wherever they sit survive."))
    if plain is None or shaped is None:
        st.info(_("The shipped comparison is missing; rebuild it with "
                  "`python -m core train features`."))
        return
    st.image(np.concatenate(list(plain), axis=1), width="stretch",
             caption=_("plain pixels, no jitter: {layer}, channels {channels}",
                       layer=shipped.PLAIN_LAYER, channels=", ".join(map(str, plain_channels))))
    st.image(np.concatenate(list(shaped[:len(plain)]), axis=1), width="stretch",
             caption=_("frequency penalty and jitter: the same channels"))


intro()
chosen_layer, chosen = pick_layer()
grown = feature_grid(chosen_layer, chosen)
picture = photo_input()
if picture is not None and network() is not None and not view.channel_problems(list(chosen)):
    activation_maps(picture, chosen_layer, chosen, grown)
readable()
map_terms("features")
