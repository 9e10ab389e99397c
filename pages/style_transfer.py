"""Neural style transfer: gradient descent on a photo's pixels until a CNN finds the photo's
content and another picture's style in it; then the book's recipe beside the lab's."""

from __future__ import annotations

import streamlit as st

from core.catalog import UPLOAD_LIMIT_MB
from core.datasets import availability
from core.i18n import N_, _
from core.images import ImageError, displayable, open_image
from core.style import engine, model, pictures, view
from pages import jobs_view
from pages.common import explain_missing, locate_or_explain, map_terms, reader_asks
from pages.text import as_text

IMAGE_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff"]
DREAMS = "dd_recent"  # the Deep Dream page's recent dreams (job id -> PNG), oldest first
CONTENT_SOURCES = {"sample": N_("The sample photo"), "upload": N_("Upload a photo"),
                   "dream": N_("My last Deep Dream")}
STYLE_SOURCES = {"drawn": N_("A style drawn by the lab"), "upload": N_("Upload a style image"),
                 "dream": N_("My last Deep Dream")}
CONTENT_WEIGHTS = (0.1, 0.3, 1.0, 3.0, 10.0)
STYLE_WEIGHTS = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0)
TV_WEIGHTS = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0)
LEARNING_RATES = (1.0, 2.0, 4.0, 6.0, 8.0, 12.0)


def introduction() -> None:
    st.title(_("Style transfer: your photo, redrawn in another picture's style"))
    st.markdown(_(
        "Deep Dream changed a photo so that a network's layers fire more. **Style transfer** "
        "(Gatys, Ecker & Bethge, 2015) changes a photo until a pretrained network sees two "
        "things in it at once: the **content** of your photo (its features at one deep layer) "
        "and the **style** of another picture (which features fire *together*, at several "
        "layers: their **Gram matrices**). A third loss, **total variation**, keeps "
        "neighbouring pixels alike. The network's weights never change: gradient descent "
        "changes the pixels, starting from your photo."))


def image_from(source: str, upload, *, sample: bytes | None) -> tuple[object, bytes | None]:
    """(image, its bytes) from the chosen source, or (None, None) with a message when there is
    none yet or it cannot be read."""
    if source == "dream":
        data = view.last_dream(st.session_state.get(DREAMS))
    elif source == "upload":
        data = upload.getvalue() if upload is not None else None
    else:
        data = sample
    if data is None:
        return None, None
    try:
        return open_image(data), data
    except ImageError as err:
        st.error(_("{error} Please try another file.", error=as_text(err)))
        return None, None


def choose_content() -> tuple[object, bytes | None]:
    st.header(_("1 · Your photo (the content)"), anchor="content")
    sources = [k for k in CONTENT_SOURCES if k != "dream" or st.session_state.get(DREAMS)]
    source = st.radio(_("Photo"), sources, horizontal=True, key="style_source",
                      format_func=lambda k: _(CONTENT_SOURCES[k]))
    upload = None
    if source == "upload":
        upload = st.file_uploader(_("JPEG, PNG, WebP… (up to {mb} MB)", mb=UPLOAD_LIMIT_MB),
                                  type=IMAGE_TYPES, key="style_upload")
    photo, data = image_from(source, upload, sample=view.SAMPLE_PHOTO.read_bytes())
    if photo is not None:
        st.image(displayable(photo, 240), width=240, caption=(
            _(view.SAMPLE_CREDIT) if source == "sample" else _("Your photo")))
    elif source == "upload":
        st.info(_("Upload a photo, or choose the sample photo above."))
    return photo, data


def choose_style() -> tuple[object, bytes | None]:
    st.header(_("2 · The style"), anchor="style")
    sources = [k for k in STYLE_SOURCES if k != "dream" or st.session_state.get(DREAMS)]
    source = st.radio(_("Style image"), sources, horizontal=True, key="style_look",
                      format_func=lambda k: _(STYLE_SOURCES[k]))
    if not st.session_state.get(DREAMS):
        st.caption(_("Dream on the Deep Dream page first, and your last dream can be the "
                     "photo or the style here."))
    upload, drawn = None, None
    if source == "drawn":
        names = list(pictures.STYLES)
        drawn = st.radio(_("Drawn style"), names, horizontal=True, key="style_drawn",
                         format_func=lambda n: _(pictures.STYLES[n][0]))
        st.image([str(pictures.path_of(n)) for n in names], width=120,
                 caption=[_(pictures.STYLES[n][0]) for n in names])
        st.caption(_("Drawn by the lab's own code from fixed seeds (`python -m core draw "
                     "style`), free to use (CC0)."))
    elif source == "upload":
        upload = st.file_uploader(_("JPEG, PNG, WebP… (up to {mb} MB)", mb=UPLOAD_LIMIT_MB),
                                  type=IMAGE_TYPES, key="style_look_upload")
    look, data = image_from(source, upload, sample=pictures.path_of(drawn).read_bytes()
                            if drawn else None)
    if look is not None and source != "drawn":
        st.image(displayable(look, 240), width=240, caption=_("Your style image"))
    elif look is None and source == "upload":
        st.info(_("Upload a style image: a painting, a texture, a pattern."))
    return look, data


def choose_settings():
    """(backbone key, settings, working side, submitted, weights available)."""
    st.header(_("3 · What to keep and what to copy"), anchor="settings")
    missing = {k for k, b in model.BACKBONES.items() if model.shipped_weights(k) is None
               and availability(b.resource).state == "missing"}
    key = st.selectbox(_("Network"), list(model.BACKBONES), key="style_backbone",
                       format_func=lambda k: _(model.BACKBONES[k].title)
                       + (_(" · weights not on this machine") if k in missing else ""))
    backbone = model.BACKBONES[key]
    if key in missing:
        explain_missing(backbone.resource, _("style transfer with {net}", net=_(backbone.title)),
                        works=_("style transfer with SqueezeNet, which ships with the app"))
    with st.form("style_settings"):
        c1, c2, c3 = st.columns(3)
        content_weight = c1.select_slider(
            _("Content weight"), CONTENT_WEIGHTS, value=view.DEFAULTS["content_weight"],
            key="style_content_w", help=_("How much the photo's features must be kept."))
        style_weight = c2.select_slider(
            _("Style weight"), STYLE_WEIGHTS, value=view.DEFAULTS["style_weight"],
            key="style_style_w", help=_("How much the style's Gram matrices must be copied."))
        tv_weight = c3.select_slider(
            _("Smoothness weight"), TV_WEIGHTS, value=view.DEFAULTS["tv_weight"],
            key="style_tv_w", help=_("Total variation: how much neighbouring pixels must "
                                     "stay alike (less grain, softer strokes)."))
        layers = st.multiselect(_("Layers that carry the style"), backbone.layers,
                                default=list(backbone.style_layers), key=f"style_layers_{key}",
                                help=_("Listed from shallow to deep; each counts equally."))
        st.caption(_("**Shallow layers** copy colours and fine strokes; **deep layers** copy "
                     "larger motifs: cells, swirls, waves."))
        content_layer = st.selectbox(_("Layer that carries the content"), backbone.layers,
                                     index=backbone.layers.index(backbone.content_layer),
                                     key=f"style_content_layer_{key}",
                                     help=_("A deeper layer keeps the objects and lets the "
                                            "details go."))
        c4, c5, c6 = st.columns(3)
        steps = c4.slider(_("Steps"), 1, 200, view.DEFAULTS["steps"], key="style_steps")
        learning_rate = c5.select_slider(
            _("Learning rate (grey levels per step)"), LEARNING_RATES,
            value=view.DEFAULTS["learning_rate"], key="style_lr", format_func=lambda v: f"{v:g}")
        side = c6.select_slider(_("Working size (px)"), view.SIDES, value=view.DEFAULT_SIDE,
                                key="style_side", help=_("Longest side while optimising."))
        submitted = st.form_submit_button(_("Stylize"), type="primary", icon=":material/brush:",
                                          key="style_go", disabled=key in missing)
    settings = view.lab_settings(key, style_layers=layers, content_layer=content_layer,
                                 content_weight=content_weight, style_weight=style_weight,
                                 tv_weight=tv_weight, steps=steps, learning_rate=learning_rate)
    st.markdown(_("Each loss is a relative error, divided by the size of its own target, so "
                  "that it starts near 1 whatever the layer or the image's size, and one weight "
                  "suits them all. The lab's losses, exactly as they run:"))
    st.code(view.loss_code(), language="python")
    st.markdown(_("One step asks TensorFlow for the gradient of the weighted sum with respect "
                  "to the pixels, then moves every pixel with **Adam**, which divides each "
                  "pixel's step by the running size of its own gradient:"))
    st.code(view.step_code(), language="python")
    return key, settings, side, submitted, key not in missing


def weights_or_explain(key: str):
    """The shipped weights (SqueezeNet), else the data layer's copy or download (VGG19)."""
    chosen = model.BACKBONES[key]
    return model.shipped_weights(key) or locate_or_explain(
        chosen.resource, _("style transfer with {net}", net=_(chosen.title)),
        works=_("style transfer with SqueezeNet, which ships with the app"))


def draw_preview(preview: dict) -> None:
    """What a running job shows, drawn from its data in the student's language."""
    recipe = preview.get("recipe")
    if recipe:
        st.caption(_("Now: {recipe}, step {step}", recipe=_(view.RECIPES[recipe]),
                     step=preview["step"]))
    left, right = st.columns(2)
    if preview["image"] is not None:
        left.image(displayable(preview["image"], 320), width=320,
                   caption=_("Step {step}", step=preview["step"]))
    right.altair_chart(view.loss_chart(preview["history"], height=220), width="stretch")


def result_section(photo, photo_bytes, look, look_bytes, key, settings, side, submitted,
                   ready) -> None:
    st.header(_("4 · The result, step by step"), anchor="result")
    recent = st.session_state.setdefault("style_recent", {})  # job id -> view.Result
    finished = jobs_view.follow("style_job", _("Your style transfer"), preview=draw_preview)
    if finished is not None and finished.state == "done" and finished.key not in recent:
        view.remember(recent, finished.key, finished.result)
    elif finished is not None and finished.state == "failed":
        st.warning(_("The style transfer did not finish: {error}", error=as_text(finished.error)),
                   icon=":material/hourglass_disabled:")
    if photo is None or look is None:
        st.info(_("Choose a photo and a style image above, then press **Stylize**."))
        return
    if not settings.style_layers:
        st.warning(_("Choose at least one layer to carry the style."))
        return
    if not (settings.content_weight or settings.style_weight or settings.tv_weight):
        st.warning(_("Every weight is 0, so there is nothing to optimise."))
        return
    job = view.job_id(photo_bytes, look_bytes, key, settings, side)
    if submitted and ready and job not in recent:
        weights = weights_or_explain(key)
        if weights is not None:
            jobs_view.submit("style_job", "style",
                             view.style_work(photo, look, key, weights, settings, side), key=job)
    result = recent.get(job)
    if result is None:
        st.caption(_("Press **Stylize** and watch the picture change step by step."))
        return
    before, style, after = st.columns(3)
    before.image(displayable(photo, 480), caption=_("Content"), width="stretch")
    style.image(displayable(look, 480), caption=_("Style"), width="stretch")
    after.image(result.image, width="stretch", caption=_(
        "Result: {steps} steps in {seconds:.1f} s ({w}×{h} px)", steps=settings.steps,
        seconds=result.seconds, w=result.image.width, h=result.image.height))
    st.altair_chart(view.loss_chart(result.history), width="stretch")
    st.caption(_("The losses by step, each times its weight. The content loss starts at 0 "
                 "(the image *is* the photo) and rises as the style comes in; the optimiser "
                 "lowers their sum."))
    st.download_button(_("Download the result (PNG)"), result.png, file_name="style_transfer.png",
                       mime="image/png", icon=":material/download:", key="style_download")
    grams_section(result)


@st.fragment
def grams_section(result: view.Result) -> None:
    st.header(_("5 · What “style” means to the network"), anchor="gram")
    st.markdown(_(
        "A layer's **Gram matrix** has one row and one column per feature map: entry (i, j) "
        "is how strongly features i and j fire together, averaged over every position. Where "
        "a feature fires is gone; which features come together (the texture) is kept. The "
        "style loss makes the result's Gram matrices match the style image's."))
    layer = st.selectbox(_("Layer"), list(result.grams), key="style_gram_layer")
    pair = result.grams[layer]
    style_gram, result_gram = view.gram_pictures(pair)
    left, right = st.columns(2)
    left.image(style_gram, width=256, caption=_("Style image · {layer}", layer=layer))
    right.image(result_gram, width=256, caption=_("Result · {layer}", layer=layer))
    st.caption(_("{n}×{n} features, sorted by how active they are in the style image (brightest "
                 "first), on one colour scale. Relative difference: {error:.1%}.",
                 n=pair.style.shape[0], error=pair.error))


def book_section(photo, photo_bytes, look, look_bytes, key, side, ready) -> None:
    st.header(_("6 · The book's recipe beside the lab's"), anchor="book")
    chosen = model.BACKBONES[key]
    st.markdown(_(
        "The book's script (`ch07/style_transfer.py`) uses VGG19 at 400 px: content on "
        "`block5_conv2`, style on `block1_conv1` … `block5_conv1`, every loss a plain sum, "
        "weights 1.0 (content), 0.1 (style, shared by five layers) and 0.001 (smoothness), then "
        "**10 plain gradient-descent steps**, `image -= 0.001 * grads`. Here it runs on "
        "{net} (content on `{content}`, style on {style}) at the working size above, beside "
        "the same loss with Adam and the lab's recipe, on your images.",
        net=_(chosen.title), content=chosen.book_content_layer,
        style=", ".join(f"`{n}`" for n in chosen.book_style_layers)))
    with st.expander(_("The book's loss and step, as the lab runs them")):
        st.code(view.book_code(), language="python")
        st.caption(_("The English edition (`Chapter07/style-transfer.py`) differs: VGG16, 5 "
                     "steps at 0.00092, a content loss on the raw pixels, and a step that adds "
                     "the gradient instead of subtracting it."))
    compared = st.session_state.setdefault("style_compared", {})  # job id -> {recipe: Result}
    finished = jobs_view.follow("style_compare_job", _("The comparison"), preview=draw_preview)
    if finished is not None and finished.state == "done" and finished.key not in compared:
        view.remember(compared, finished.key, finished.result, keep=1)
    elif finished is not None and finished.state == "failed":
        st.warning(_("The comparison did not finish: {error}", error=as_text(finished.error)),
                   icon=":material/hourglass_disabled:")
    if photo is None or look is None:
        st.info(_("Choose a photo and a style image above to compare the recipes."))
        return
    job = view.job_id("compare", photo_bytes, look_bytes, key, side)
    if st.button(_("Run the three recipes"), key="style_compare_go", icon=":material/compare:",
                 disabled=not ready) and job not in compared:
        weights = weights_or_explain(key)
        if weights is not None:
            jobs_view.submit("style_compare_job", "style",
                             view.compare_work(photo, look, key, weights, side), key=job)
    results = compared.get(job)
    if results is None:
        return
    runs = view.recipe_settings(key)
    columns = st.columns(len(results))
    for column, (recipe, result) in zip(columns, results.items(), strict=True):
        settings = runs[recipe]
        column.image(result.image, width="stretch", caption=_(view.RECIPES[recipe]))
        column.caption(_(
            "{steps} steps of {optimizer}, learning rate {lr:g} · pixels moved {change:.3g} "
            "grey levels on average · style loss down {fall:.1f}%",
            steps=settings.steps, optimizer=_("Adam") if settings.optimizer == "adam"
            else _("plain gradient descent"), lr=settings.learning_rate, change=result.change,
            fall=view.style_fall(result)))
    st.altair_chart(view.comparison_chart(results), width="stretch")
    why(results)


def why(results: dict) -> None:
    book, adam = results["book"], results["book_adam"]
    smooth = engine.TERMS.index("smoothness")
    grain = adam.history[-1][smooth] / max(adam.history[0][smooth], 1e-12)
    st.markdown(_(
        "**Why.** Plain gradient descent moves each pixel by *learning rate × gradient*, and "
        "the gradient's size is set by the loss's units. The book's losses are sums over every "
        "position and every pair of features, so the right learning rate changes with the "
        "network, the image's size and the weights; here 10 steps at 0.001 moved a pixel by "
        "{change:.3g} grey levels on average, and the style loss fell {fall:.2f}%: the photo, "
        "unchanged. **Adam** divides each pixel's step by the running size of its own "
        "gradient, so a step moves a pixel by about the learning rate, in grey levels, "
        "whatever the units: on the same loss the picture changes at once (style loss down "
        "{adam_fall:.0f}%). But the book's terms are weighed by the accident of their units: "
        "here its smoothness term rose {grain:.1f}-fold while the style loss fell. The "
        "lab divides each loss by the size of its target, so that its weights mean what they "
        "say, and takes {steps} Adam steps.",
        change=book.change, fall=view.style_fall(book), adam_fall=view.style_fall(adam),
        grain=grain, steps=view.DEFAULTS["steps"]))
    reader_asks(_("Would the book's 10 steps do more on its own network?"), _(
        "The book runs VGG19 at 400 px, where the same sums have other sizes, so its learning "
        "rate moves the pixels by another amount: with plain gradient descent a learning rate "
        "only fits the loss it was tried on. Choose VGG19 above (a download) to run the "
        "book's recipe on the book's own network."))


introduction()
content_photo, content_bytes = choose_content()
style_image, style_bytes = choose_style()
backbone_key, chosen_settings, working_side, go, weights_ready = choose_settings()
result_section(content_photo, content_bytes, style_image, style_bytes, backbone_key,
               chosen_settings, working_side, go, weights_ready)
book_section(content_photo, content_bytes, style_image, style_bytes, backbone_key, working_side,
             weights_ready)
map_terms("style_transfer")
