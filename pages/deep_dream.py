"""Deep Dream: gradient ascent on a photo makes a pretrained CNN amplify what it sees."""

import streamlit as st

from core.catalog import UPLOAD_LIMIT_MB
from core.datasets import availability
from core.dream import engine, model, pictures, view
from core.i18n import _
from core.images import ImageError, displayable, open_image
from pages import jobs_view
from pages.common import explain_missing, link_when_built, locate_or_explain, map_terms, reader_asks
from pages.text import as_text

IMAGE_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"]
SIDES = [64, 128, 256, 384, 512, 768, 1024]


def introduction() -> None:
    st.title(_("Deep Dream: let a CNN see things in your photo"))
    st.markdown(_(
        "A network trained on ImageNet has layers that respond to edges, textures, eyes, fur… "
        "**Deep Dream** turns training around: the weights stay fixed and *the image* is "
        "changed by **gradient ascent**, step by step, so that the chosen layers respond ever "
        "more strongly. It works over several **octaves** (the photo at growing sizes, detail "
        "lost in shrinking added back each time), and every step rolls the image by a random "
        "shift so that no tiling pattern creeps in."))


def photo_section():
    """The student's photo, the sample photo or a generated pattern: (image, its bytes, whether
    the sample button was pressed just now)."""
    st.header(_("1 · A photo"), anchor="a-photo")
    source = st.radio(_("Picture"), ["upload", "generated"], horizontal=True, key="dd_source",
                      format_func={"upload": _("Upload a photo"),
                                   "generated": _("Generated pattern (not a photo)")}.get)
    if source == "generated":
        photo = pictures.generated_picture()
        st.caption(_("A pattern drawn by the app (soft colour waves and a few discs), not a "
                     "photograph."))
        return photo, photo.tobytes(), False
    mine, sample = st.columns([3, 1])
    upload = mine.file_uploader(_("JPEG, PNG, WebP… (up to {limit} MB)", limit=UPLOAD_LIMIT_MB),
                                key="dd_upload", type=IMAGE_TYPES,
                                on_change=lambda: st.session_state.update(dd_use_sample=False))
    sample.image(str(view.SAMPLE_PHOTO), caption=_(view.SAMPLE_CREDIT), width=160)
    # One click dreams on the sample photo with the settings below (the classic preset at first).
    try_sample = sample.button(_("Try it with this photo"), key="dd_sample",
                               icon=":material/auto_awesome:")
    if try_sample:
        st.session_state.dd_use_sample = True
    if st.session_state.get("dd_use_sample"):
        photo_bytes = view.SAMPLE_PHOTO.read_bytes()
        return open_image(photo_bytes), photo_bytes, try_sample
    if upload is None:
        return None, None, try_sample
    try:
        return open_image(upload.getvalue()), upload.getvalue(), try_sample
    except ImageError as err:
        st.error(_("{problem} Please try another file.", problem=as_text(err)))
        return None, None, try_sample


def backbone_title(key: str, missing: set[str]) -> str:
    title = _(model.BACKBONES[key].title)
    if key in missing:
        return _("{title} · weights not on this machine", title=title)
    size = view.weights_megabytes(key)
    return title if size is None else _("{title} · {size:.1f} MB", title=title, size=size)


def backbone_section():
    """The backbone the student picked; the page stops here, explained, if its weights are
    neither here nor downloadable."""
    st.header(_("2 · What the network should amplify"), anchor="what-to-amplify")
    missing = {k for k, b in model.BACKBONES.items() if model.shipped_weights(k) is None
               and availability(b.resource).state == "missing"}
    key = st.selectbox(_("Backbone"), list(model.BACKBONES), key="dd_backbone",
                       format_func=lambda k: backbone_title(k, missing))
    if key in missing:
        explain_missing(model.BACKBONES[key].resource, without_backbone(key),
                        works=_("dreaming with SqueezeNet, which ships with the app"))
        st.stop()
    return key


def without_backbone(key: str) -> str:
    return _("dreaming with {title}", title=_(model.BACKBONES[key].title))


def apply_preset(key: str) -> None:
    """Copy a preset into the form's widgets (the form itself never reruns on its own)."""
    backbone = model.BACKBONES[key]
    chosen = backbone.presets[st.session_state.dd_preset or "classic"]
    st.session_state.update({
        f"dd_layers_{key}": list(chosen["layers"]), "dd_octaves": chosen["octaves"],
        "dd_steps": chosen["steps"], "dd_step_size": chosen["step_size"],
        f"dd_max_loss_{key}": float(chosen["max_loss"] or 0.0),
        **{f"dd_w_{key}_{name}": chosen["layers"].get(name, 1.0) for name in backbone.layers}})


def settings_form(key: str):
    """The dream's settings: (engine settings, working size, whether Dream was pressed)."""
    backbone = model.BACKBONES[key]
    if f"dd_layers_{key}" not in st.session_state:
        st.session_state.dd_preset = "classic"
        apply_preset(key)
    presets = {"subtle": _("subtle"), "classic": _("classic"), "wild": _("wild")}
    st.segmented_control(_("Preset"), model.PRESETS, key="dd_preset", on_change=apply_preset,
                         args=(key,), format_func=presets.get,
                         help=_("subtle: shallow layers, few steps · classic: middle layers · "
                                "wild: deep layers, many steps"))
    with st.form("dd_settings"):
        chosen = st.multiselect(_("Layers"), backbone.layers, key=f"dd_layers_{key}",
                                help=_("Listed from shallow to deep."))
        st.caption(_("**Shallow layers** amplify strokes, edges and simple textures; **deep "
                     "layers** amplify whole parts the network knows: eyes, fur, wheels, "
                     "animal faces."))
        with st.expander(_("Layer weights (how much each chosen layer counts in the loss)")):
            weights = {name: st.slider(name, 0.0, 3.0, step=0.1, key=f"dd_w_{key}_{name}")
                       for name in backbone.layers}
        c1, c2, c3, c4 = st.columns(4)
        octaves = c1.slider(_("Octaves"), 1, 5, key="dd_octaves")
        steps = c2.slider(_("Steps per octave"), 1, 50, key="dd_steps")
        step_size = c3.select_slider(_("Step size"), [0.002, 0.005, 0.01, 0.02, 0.04],
                                     key="dd_step_size")
        side = c4.select_slider(_("Working size (px)"), SIDES, engine.DEFAULT_SIDE, key="dd_side",
                                help=_("Longest side while dreaming; the result is resized back "
                                       "to your photo's size."))
        c5, c6 = st.columns(2)
        seed = c5.number_input(_("Seed (same seed, same dream)"), 0, 10_000, 0, key="dd_seed")
        max_loss = c6.number_input(
            _("Max loss per octave (0 = no limit)"), min_value=0.0, format="%.1f",
            step=float(backbone.presets["classic"]["max_loss"] or 10.0) / 10,
            key=f"dd_max_loss_{key}",
            help=_("Loss clipping: an octave stops early once the loss (shown during the run) "
                   "passes this, before strong settings burn the colours out."))
        submitted = st.form_submit_button(_("Dream"), type="primary",
                                          icon=":material/auto_awesome:", key="dd_dream")
    settings = engine.settings_for(
        key, layers={n: weights[n] for n in chosen}, octaves=octaves, steps=steps,
        step_size=step_size, seed=int(seed), max_loss=max_loss or None)
    return settings, side, submitted


def what_is_a_feature() -> None:
    reader_asks(
        _("The notes say Deep Dream works on “features”, but what does a feature look like?"),
        _("A **feature** is what one channel of a layer responds to. A convolution "
          "layer slides each of its filters over the image and writes, for every place, how "
          "well it matches into a **feature map**, one per channel. Filters in shallow layers "
          "match strokes, edges and colours; deeper layers combine those into textures, then "
          "into parts such as eyes or fur. Deep Dream changes the photo so that the chosen "
          "layers' feature maps grow: the network paints more of what it already half sees. "
          "Dream with the *subtle* preset (shallow layers), then with *wild* (deep layers), "
          "and compare."))
    link_when_built("pages/features.py", _("What SqueezeNet's channels respond to"),
                    icon=":material/visibility:")
    st.page_link("pages/customizing_keras.py", icon=":material/grid_view:",
                 label=_("Eight feature maps you can read: the custom layer demo on "
                         "Customizing Keras (section 3)"))


def loss_and_step() -> None:
    st.markdown(_("What the network amplifies is a number: the mean squared activation of each "
                  "chosen layer, weighted by its slider and summed. This is the loss, as it "
                  "runs:"))
    st.code(view.loss_code(), language="python")
    st.markdown(_("One step of gradient ascent rolls the image by a random shift, asks "
                  "TensorFlow for the gradient of that loss with respect to the pixels, and "
                  "moves the image a small step uphill (the gradient scaled to a mean size of "
                  "1, so one step size suits every layer):"))
    st.code(view.step_code(), language="python")


def show_progress(step: engine.DreamProgress) -> None:
    """A queued dream's progress, worded here (the worker reports data only)."""
    words = _("Octave {octave} of {octaves}, step {step} of {steps} · loss {loss:,.1f}",
              octave=step.octave, octaves=step.octaves, step=step.step, steps=step.steps,
              loss=step.loss)
    if step.past_max_loss:
        words = _("{progress} · past the max loss: on to the next octave", progress=words)
    st.caption(words)
    st.image(displayable(step.image, 320), caption=_("Live preview (working size)"), width=320)


def dream_section(photo, photo_bytes, key: str, settings, side: int, go: bool) -> None:
    """Queue the dream, follow it, and show it before and after."""
    st.header(_("3 · The dream"), anchor="the-dream")
    recent = st.session_state.setdefault("dd_recent", {})  # job id -> PNG bytes
    finished = jobs_view.follow("dd_job", _("Your dream"), preview=show_progress)
    if finished is not None and finished.state == "done" and finished.key not in recent:
        view.remember(recent, finished.key, finished.result)
    elif finished is not None and finished.state == "failed":
        st.warning(_("The dream did not finish: {why}", why=as_text(finished.error)),
                   icon=":material/hourglass_disabled:")
    if photo is None:
        st.info(_("Upload a photo, or press **Try it with this photo**, to start."))
        return
    if not settings.layers:
        st.warning(_("Choose at least one layer to dream with."))
        return
    job = view.job_id(photo_bytes, key, settings, side)
    if go and job not in recent:
        chosen = model.BACKBONES[key]
        weights = model.shipped_weights(key) or locate_or_explain(
            chosen.resource, without_backbone(key),
            works=_("dreaming with SqueezeNet, which ships with the app"))
        if weights is not None:
            jobs_view.submit("dd_job", "dream",
                             engine.dream_work(photo, key, weights, settings, side), key=job)
    if job not in recent:
        st.image(displayable(photo, 320), caption=_("Before: press **Dream** to start"),
                 width=320)
        return
    before, after = st.columns(2)
    before.image(displayable(photo), caption=_("Before"), width="stretch")
    after.image(displayable(pictures.png_image(recent[job])), caption=_("After"),
                width="stretch")
    st.download_button(_("Download the dream (PNG)"), recent[job], file_name="deep_dream.png",
                       mime="image/png", icon=":material/download:")


def recent_dreams() -> None:
    recent = st.session_state.get("dd_recent", {})
    if len(recent) > 1:
        with st.expander(_("Your recent dreams ({n})", n=len(recent))):
            st.image([displayable(pictures.png_image(png), 160)
                      for png in reversed(recent.values())], width=160)


introduction()
photo, photo_bytes, try_sample = photo_section()
backbone = backbone_section()
settings, side, submitted = settings_form(backbone)
what_is_a_feature()
loss_and_step()
dream_section(photo, photo_bytes, backbone, settings, side, submitted or try_sample)
recent_dreams()
map_terms("deep_dream")
