"""Deep Dream: gradient ascent on a photo makes a pretrained CNN amplify what it sees."""

import streamlit as st

from core.catalog import UPLOAD_LIMIT_MB
from core.datasets import availability
from core.dream import model, view
from core.images import ImageError, displayable, open_image
from pages import jobs_view
from pages.common import explain_missing, locate_or_explain
from pages.text import as_text

st.title("Deep Dream: let a CNN see things in your photo")
st.markdown(
    "A network trained on ImageNet has layers that respond to edges, textures, eyes, fur… "
    "**Deep Dream** turns training around: the weights stay fixed and *the image* is changed by "
    "**gradient ascent**, step by step, so that the chosen layers respond ever more strongly. "
    "It works over several **octaves** (the photo at growing sizes, detail lost in shrinking "
    "added back each time), and every step rolls the image by a random shift so that no tiling "
    "pattern creeps in.")


def weights_or_explain(key: str):
    """The shipped weights (SqueezeNet, in assets/), else the data layer's copy or download."""
    chosen = model.BACKBONES[key]
    return model.shipped_weights(key) or locate_or_explain(
        chosen.resource, f"dreaming with {chosen.title}",
        works="dreaming with SqueezeNet, which ships with the app")


# --- 1. The photo -----------------------------------------------------------------------------
st.header("1 · A photo")
source = st.radio("Picture", ["Upload a photo", "Generated pattern (not a photo)"],
                  horizontal=True, key="dd_source")
photo, photo_bytes, try_sample = None, None, False
if source == "Upload a photo":
    mine, sample = st.columns([3, 1])
    upload = mine.file_uploader(f"JPEG, PNG, WebP… (up to {UPLOAD_LIMIT_MB} MB)", key="dd_upload",
                                type=["jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"],
                                on_change=lambda: st.session_state.update(dd_use_sample=False))
    sample.image(str(view.SAMPLE_PHOTO), caption=view.SAMPLE_CREDIT, width=160)
    # One click dreams on the sample photo with the settings below (the classic preset at first).
    try_sample = sample.button("Try it with this photo", key="dd_sample",
                               icon=":material/auto_awesome:")
    if try_sample:
        st.session_state.dd_use_sample = True
    if st.session_state.get("dd_use_sample"):
        photo_bytes = view.SAMPLE_PHOTO.read_bytes()
        photo = open_image(photo_bytes)
    elif upload is not None:
        photo_bytes = upload.getvalue()
        try:
            photo = open_image(photo_bytes)
        except ImageError as err:
            st.error(f"{as_text(err)} Please try another file.")
else:
    photo = view.generated_picture()
    photo_bytes = photo.tobytes()
    st.caption("A pattern drawn by the app (soft colour waves and a few discs), not a "
               "photograph.")

# --- 2. Settings ------------------------------------------------------------------------------
st.header("2 · What the network should amplify")
missing = {k for k, b in model.BACKBONES.items() if model.shipped_weights(k) is None
           and availability(b.resource).state == "missing"}
key = st.selectbox("Backbone", list(model.BACKBONES), key="dd_backbone",
                   format_func=lambda k: model.BACKBONES[k].title
                   + (" · weights not on this machine" if k in missing else ""))
backbone = model.BACKBONES[key]
if key in missing:
    explain_missing(backbone.resource, f"dreaming with {backbone.title}",
                    works="dreaming with SqueezeNet, which ships with the app")
    st.stop()


def apply_preset() -> None:
    """Copy a preset into the form's widgets (the form itself never reruns on its own)."""
    chosen = backbone.presets[st.session_state.dd_preset or "classic"]
    st.session_state.update({
        f"dd_layers_{key}": list(chosen["layers"]), "dd_octaves": chosen["octaves"],
        "dd_steps": chosen["steps"], "dd_step_size": chosen["step_size"],
        f"dd_max_loss_{key}": float(chosen["max_loss"] or 0.0),
        **{f"dd_w_{key}_{name}": chosen["layers"].get(name, 1.0) for name in backbone.layers}})


if f"dd_layers_{key}" not in st.session_state:
    st.session_state.dd_preset = "classic"
    apply_preset()
st.segmented_control("Preset", model.PRESETS, key="dd_preset", on_change=apply_preset,
                     help="subtle: shallow layers, few steps · classic: middle layers · "
                          "wild: deep layers, many steps")

with st.form("dd_settings"):
    chosen_layers = st.multiselect(
        "Layers", backbone.layers, key=f"dd_layers_{key}",
        help="Listed from shallow to deep.")
    st.caption("**Shallow layers** amplify strokes, edges and simple textures; **deep layers** "
               "amplify whole parts the network knows: eyes, fur, wheels, animal faces.")
    with st.expander("Layer weights (how much each chosen layer counts in the loss)"):
        weights = {name: st.slider(name, 0.0, 3.0, step=0.1, key=f"dd_w_{key}_{name}")
                   for name in backbone.layers}
    c1, c2, c3, c4 = st.columns(4)
    octaves = c1.slider("Octaves", 1, 5, key="dd_octaves")
    steps = c2.slider("Steps per octave", 1, 50, key="dd_steps")
    step_size = c3.select_slider("Step size", [0.002, 0.005, 0.01, 0.02, 0.04],
                                 key="dd_step_size")
    side = c4.select_slider("Working size (px)", [64, 128, 256, 384, 512, 768, 1024], 512,
                            key="dd_side", help="Longest side while dreaming; the result is "
                            "resized back to your photo's size.")
    c5, c6 = st.columns(2)
    seed = c5.number_input("Seed (same seed, same dream)", 0, 10_000, 0, key="dd_seed")
    max_loss = c6.number_input(
        "Max loss per octave (0 = no limit)", min_value=0.0, format="%.1f",
        step=float(backbone.presets["classic"]["max_loss"] or 10.0) / 10,
        key=f"dd_max_loss_{key}",
        help="Loss clipping: an octave stops early once the loss (shown during the run) passes "
             "this, before strong settings burn the colours out.")
    submitted = st.form_submit_button("Dream", type="primary", icon=":material/auto_awesome:",
                                      key="dd_dream")

st.markdown("What the network amplifies is a number: the mean squared activation of each chosen "
            "layer, weighted by its slider and summed. This is the loss, as it runs:")
st.code(view.loss_code(), language="python")
st.markdown("One step of gradient ascent rolls the image by a random shift, asks TensorFlow for "
            "the gradient of that loss with respect to the pixels, and moves the image a small "
            "step uphill (the gradient scaled to a mean size of 1, so one step size suits every "
            "layer):")
st.code(view.step_code(), language="python")

# --- 3. The dream -----------------------------------------------------------------------------
st.header("3 · The dream")
recent = st.session_state.setdefault("dd_recent", {})  # job id -> PNG bytes
settings = view.settings_for(
    key, layers={n: weights[n] for n in chosen_layers}, octaves=octaves, steps=steps,
    step_size=step_size, seed=int(seed), max_loss=max_loss or None)


finished = jobs_view.follow("dd_job", "Your dream", preview=lambda image: st.image(
    displayable(image, 320), caption="Live preview (working size)", width=320))
if finished is not None and finished.state == "done" and finished.key not in recent:
    view.remember(recent, finished.key, finished.result)
elif finished is not None and finished.state == "failed":
    st.warning(f"The dream did not finish: {as_text(finished.error)}",
               icon=":material/hourglass_disabled:")
if photo is None:
    st.info("Upload a photo, or press **Try it with this photo**, to start.")
elif not chosen_layers:
    st.warning("Choose at least one layer to dream with.")
else:
    job = view.job_id(photo_bytes, key, settings, side)
    if (submitted or try_sample) and job not in recent:
        weights_path = weights_or_explain(key)
        if weights_path is not None:
            jobs_view.submit("dd_job", "dream",
                             view.dream_work(photo, key, weights_path, settings, side), key=job)
    if job in recent:
        before, after = st.columns(2)
        before.image(displayable(photo), caption="Before", width="stretch")
        after.image(displayable(view.png_image(recent[job])), caption="After",
                    width="stretch")
        st.download_button("Download the dream (PNG)", recent[job], file_name="deep_dream.png",
                           mime="image/png", icon=":material/download:")
    else:
        st.image(displayable(photo, 320), caption="Before: press **Dream** to start", width=320)

if len(recent) > 1:
    with st.expander(f"Your recent dreams ({len(recent)})"):
        st.image([displayable(view.png_image(png), 160)
                  for png in reversed(recent.values())], width=160)
