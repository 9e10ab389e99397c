"""GAN: a generator learns to draw digits by fooling a discriminator; then a 2-D GAN you train."""

import numpy as np
import streamlit as st

from core.gan import live, view
from core.gan.training import EVAL_DIGITS
from core.i18n import _
from pages import jobs_view
from pages.common import locate_or_explain, map_terms, reader_asks
from pages.shipped import shipped_model
from pages.text import as_text


# --- what the page loads once for the whole class ------------------------------------------------
@shipped_model(show_spinner=False)
def shipped_generator(kind: str):
    """(sampler, card) of the "dcgan" or the "cgan", or None when it is not shipped."""
    from core.gan import training
    from core.gan.sampling import Sampler

    try:
        gen, card = training.load_shipped(kind)
    except FileNotFoundError:
        return None
    return Sampler(gen), card


@shipped_model(show_spinner=False)
def shipped_classifier():
    from core.gan import classifier

    try:
        return classifier.load_shipped()
    except FileNotFoundError:
        return None


@shipped_model(show_spinner=False)
def shipped_decoder():
    """(the Autoencoders page's 2-number decoder, its card), or None when it is not shipped."""
    from core.autoencoder import model, training

    try:
        net, card = training.load_shipped("mnist", "latent2d")
    except FileNotFoundError:
        return None
    return model.parts(net)[1], card


@st.cache_resource(show_spinner=False)
def live_pool():
    """The 2-D GANs of the whole class (core/gan/live.py: `LivePool`)."""
    return live.LivePool()


@st.cache_data(show_spinner=False, max_entries=256)
def digits_for(kind: str, seed: int, n: int, digit: int | None = None) -> np.ndarray:
    return shipped_generator(kind)[0].for_seed(n, seed, digit)


@st.cache_data(show_spinner=False, max_entries=256)
def walk_for(kind: str, seed_a: int, seed_b: int, steps: int, digit: int | None) -> np.ndarray:
    return shipped_generator(kind)[0].walk(seed_a, seed_b, steps, digit)


@st.cache_data(show_spinner=False)
def story(kind: str) -> np.ndarray | None:
    from core.gan import training

    path = training.story_path(kind)
    return training.read_story(path) if path.exists() else None


@st.cache_data(show_spinner=False)
def gan_training_digits(path: str) -> np.ndarray:
    """The digits the GAN learned from, out of the MNIST file at `path`."""
    from pathlib import Path

    from core.gan import data
    from core.mnist import read_digits

    return data.split(*read_digits(path), Path(path)).x_gan


@st.cache_data(show_spinner=False)
def nearest_pairs(kind: str, seed: int, path: str, n: int = 8):
    """n generated digits and, for each, the nearest digit the GAN trained on, and the
    distances."""
    from core.gan import metrics

    training_digits = gan_training_digits(path)
    digits = digits_for(kind, seed, n)
    distances, index = metrics.nearest_distances(digits, training_digits)
    return digits, training_digits[index], distances


@st.cache_data(show_spinner=False)
def side_by_side(seed: int, n: int = 16) -> dict:
    """Digits from random codes: the decoder's and the generator's, with what the classifier
    and a sharpness measure say about each."""
    from core.gan import data

    decoder, card = shipped_decoder()
    codes = view.decoder_codes(card.code_range, n * 8, seed)
    decoded = (np.asarray(decoder(codes, training=False))[..., 0] * 255).round().astype(np.uint8)
    generated = digits_for("dcgan", seed, n * 8)
    result = {"decoder": decoded, "generator": generated}
    judge = shipped_classifier()
    for name, digits in list(result.items()):
        figures = {"sharpness": view.sharpness(digits)}
        if judge is not None:
            probs = np.asarray(judge[0](data.to_tanh(digits), training=False))
            figures["confident"] = float(np.mean(probs.max(1) >= 0.9))
        result[f"{name}_figures"] = figures
    return result


# --- the page ----------------------------------------------------------------------------------
def intro() -> None:
    st.title(_("GAN: a generator learns to draw by fooling a critic"))
    st.markdown(_(
        "A **generative adversarial network (GAN)** is two networks in a game. The "
        "**generator** turns a random point (64 numbers) into an image; the **discriminator** "
        "looks at an image and says how likely it is to be a real one. Each training step, the "
        "discriminator learns to tell the real digits from the generator's, and then the "
        "generator learns to make digits the discriminator calls real. The book trains this "
        "model, a **DCGAN** (deep convolutional GAN), on MNIST in chapter 4; here it is "
        "trained on MNIST digits with the functional API, and its whole game is one "
        "`train_step` override of a `keras.Model`. A second generator, a **conditional GAN**, "
        "learned the same game told which digit to draw, so you can pick one."))


def missing_generator() -> None:
    st.info(_("The trained generator is not shipped on this machine "
              "(`assets/gan/dcgan_generator.keras`). Rebuild it with `python -m core train "
              "gan` (with the MNIST data; it takes tens of minutes on a laptop's CPU). The live "
              "2-D GAN below works without it."), icon=":material/cloud_off:")


def digits_from_noise() -> tuple[str, int | None]:
    """The chosen generator ("dcgan" or "cgan") and, for the cgan, the digit asked for."""
    st.header(_("1 · Digits from noise"), anchor="digits-from-noise")
    kind, digit = "dcgan", None
    if shipped_generator("cgan") is not None:
        which, pick = st.columns([2, 3])
        kind = which.segmented_control(
            _("Generator"), ["dcgan", "cgan"], default="dcgan", key="gan_kind",
            format_func=lambda k: {"dcgan": _("DCGAN: any digit"),
                                   "cgan": _("Conditional: pick the digit")}[k]) or "dcgan"
        if kind == "cgan":
            digit = pick.segmented_control(_("Digit"), list(range(10)), default=3,
                                           key="gan_digit")
            st.caption(_("A **conditional GAN** is the same game with the digit given to both "
                         "players: the generator gets the digit to draw beside its random "
                         "point, and the discriminator judges whether an image is a real "
                         "example *of that digit*."))
    left, right = st.columns([1, 2])
    with left:
        seed = st.number_input(_("Seed (the same seed, the same digits)"), 0,
                               view.SEED_LIMIT - 1, 0, key="gan_seed")
        count = st.segmented_control(_("How many"), [16, 32, 64], default=32,
                                     key="gan_count") or 32
        st.caption(_("Each digit is the generator's answer to one random point of 64 numbers "
                     "drawn from a normal distribution. The classifier below judges them."))
        with st.expander(_("The game, one step: `train_step`")):
            st.code(view.train_step_code(), language="python")
    with right:
        digits = digits_for(kind, int(seed), int(count), digit)
        st.image(view.sheet(digits, 8), caption=_("{n} digits for seed {seed}", n=len(digits),
                                                     seed=int(seed)))
    return kind, digit


def latent_walk(kind: str, digit: int | None) -> None:
    st.header(_("2 · A walk between two digits"), anchor="latent-walk")
    st.markdown(_("Every point between two latent points is a latent point too: the generator "
                  "draws something for it. Walking from one to the other (along the sphere "
                  "where normal points live), one digit turns into another."))
    c1, c2, c3 = st.columns(3)
    seed_a = c1.number_input(_("From the first digit of seed"), 0, view.SEED_LIMIT - 1, 1,
                             key="gan_walk_a")
    seed_b = c2.number_input(_("To the first digit of seed"), 0, view.SEED_LIMIT - 1, 5,
                             key="gan_walk_b")
    steps = c3.slider(_("Steps"), 3, 16, view.WALK_STEPS, key="gan_walk_steps")
    st.image(view.sheet(walk_for(kind, int(seed_a), int(seed_b), steps, digit), steps, scale=3))
    if kind == "cgan" and digit is not None:
        st.caption(_("The conditional generator draws {digit} all the way: only the style "
                     "changes (slant, thickness, loops), because the digit is not in the "
                     "latent point.", digit=digit))


def training_story(kind: str, card) -> None:
    st.header(_("3 · How it learned"), anchor="training-story")
    st.markdown(_(
        "Recorded while it trained: both losses after every epoch, and the same "
        "{n} latent points drawn at several epochs. The losses do not fall like a "
        "classifier's: each network's loss is the other's gain, and they settle into a "
        "balance (the discriminator unsure, near 0.5) while the digits keep improving.",
        n=len(story(kind)[0]) if story(kind) is not None else 12))
    losses, verdicts = st.columns(2)
    for column, chart in zip((losses, verdicts), view.history_charts(card.history), strict=True):
        column.altair_chart(chart, width="stretch", height=320)
    rows = story(kind)
    if rows is None:
        st.info(_("The training story (`assets/gan/{kind}_story.png`) is not shipped.",
                  kind=kind))
        return
    epochs = card.story_epochs[:len(rows)]
    recipe, steps = card.training, view.average_lag_steps(card.training["average_decay"])
    st.caption(_("The digits are drawn by the generator that ships: a moving average of the "
                 "trained generator's weights (steadier, sharper digits), which follows it about "
                 "{steps:,} steps ({epochs:.0f} epochs) behind, so the first epochs stay grey.",
                 steps=steps, epochs=steps * recipe["batch_size"] / card.split["gan"]))
    chosen = st.select_slider(_("Epoch"), epochs, value=epochs[-1], key="gan_story_epoch")
    st.image(view.sheet(rows[epochs.index(chosen)], len(rows[0]), scale=3),
             caption=_("The same {n} latent points after epoch {epoch}", n=len(rows[0]),
                       epoch=chosen))
    with st.expander(_("All epochs at once")):
        for epoch, row in zip(epochs, rows, strict=True):
            label, image = st.columns([1, 9])
            label.markdown(_("epoch {epoch}", epoch=epoch))
            image.image(view.sheet(row, len(row), scale=1))


def judged(kind: str, card) -> None:
    st.header(_("4 · Are they good digits?"), anchor="judged")
    split = card.split
    figures, reference = card.validation, card.reference
    shipped = {k: shipped_generator(k) for k in ("dcgan", "cgan")}
    st.markdown(_(
        "A GAN has no test loss to report, so the project judges its digits with a digit "
        "classifier of its own (a small CNN, {acc:.1%} accurate on unseen digits). The {total:,} "
        "MNIST digits were split three ways, so that no judge has seen what it judges: "
        "**{gan}** digits trained the GAN, **{clf}** others trained the classifier, and "
        "**{val}** digits that neither saw (the Autoencoders page's validation digits) are "
        "the real digits everything is compared with. Below: {n} generated digits.",
        acc=card.classifier.get("accuracy", float("nan")), gan=split.get("gan"),
        total=sum(split.get(part, 0) for part in ("gan", "classifier", "validation")),
        clf=split.get("classifier"), val=split.get("validation"),
        n=EVAL_DIGITS))
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Recognized with ≥ 90 % confidence"), f"{figures['confident_share']:.1%}",
              help=_("Real unseen digits: {share:.1%}", share=reference["confident_share"]))
    c2.metric(_("Fréchet distance to real digits"), f"{figures['frechet']:.1f}",
              help=_("In the classifier's 64-number feature space (like FID). Real digits "
                     "the GAN never saw score {real:.1f}: that is the floor.",
                     real=reference["frechet"]))
    c3.metric(_("Near-copies of training digits"), f"{figures['copy_share']:.1%}",
              help=_("Share of generated digits closer (in pixels) to some training digit "
                     "than 95 % of real unseen digits are to theirs. Real digits: {real:.1%}.",
                     real=reference["copy_share"]))
    st.dataframe(view.figure_rows({view.MODEL_NAMES[k]: g[1].validation
                                   for k, g in shipped.items() if g is not None}, reference),
                 hide_index=True)
    st.altair_chart(view.balance_chart(figures["class_shares"], reference["class_shares"]),
                    width="stretch", height=320)
    st.caption(_("The figures are the card's, measured when the generator was trained "
                 "(`python -m core evaluate gan` measures them again)."))
    path = locate_or_explain("mnist", _("the check against the nearest training digits"),
                             works=_("every other section of this page"))
    if path is None:
        return
    digits, nearest, distances = nearest_pairs(kind, int(st.session_state.get("gan_seed", 0)),
                                               str(path))
    st.markdown(_("**Copies?** Top: generated digits (seed of section 1). Bottom: for each, "
                  "the closest of the {n} digits the GAN learned from. Close in shape is "
                  "fine; identical would be memorizing.", n=split.get("gan")))
    st.image(view.sheet(np.concatenate([digits, nearest]), len(digits), scale=3),
             caption=_("pixel distance (RMS): {d}", d=", ".join(f"{v:.2f}" for v in distances)))


def versus_decoder() -> None:
    st.header(_("5 · The generator and the autoencoder's decoder"), anchor="generator-vs-decoder")
    st.markdown(_(
        "Both networks turn a short code into an image. The Autoencoders page's decoder learned "
        "it by **rebuilding** digits from the codes its encoder made; the generator learned it "
        "from a **critic** that never showed it a target image. Give both random codes:"))
    if shipped_decoder() is None:
        st.info(_("The autoencoder's 2-number decoder (`assets/autoencoder/mnist_latent2d.keras`) "
                  "is not shipped, so there is nothing to compare with."))
        return
    seed = st.number_input(_("Random codes, seed"), 0, view.SEED_LIMIT - 1, 0, key="gan_vs_seed")
    both = side_by_side(int(seed))
    left, right = st.columns(2)
    for column, name, title in ((left, "decoder", _("Decoder: random 2-number codes")),
                                (right, "generator", _("Generator: random 64-number points"))):
        with column:
            st.markdown(f"**{title}**")
            st.image(view.sheet(both[name][:16], 8, scale=2))
            figures = both[f"{name}_figures"]
            a, b = st.columns(2)
            a.metric(_("Decided stroke pixels"), f"{figures['sharpness']:.0%}",
                     help=_("Share of ink pixels that are nearly white rather than grey: "
                            "blurry averages score low."))
            if "confident" in figures:
                b.metric(_("Recognized (≥ 90 %)"), f"{figures['confident']:.0%}")
    st.markdown(_(
        "| | Autoencoder's decoder | GAN's generator |\n|---|---|---|\n"
        "| turns | a code into an image | a code into an image |\n"
        "| learns from | the pixels of the digit it must rebuild | a discriminator's verdict |\n"
        "| its codes | made by an encoder from real digits | drawn at random |\n"
        "| where unsure | draws a blurry average | draws one sharp guess (and may skip some "
        "digits: mode collapse) |\n"
        "| after training | encoder and decoder used together | the discriminator is thrown "
        "away; the generator is the product |"))
    reader_asks(
        _("Since an autoencoder rebuilds its input, is the decoder the finished product?"),
        _("Usually not: an autoencoder is kept for its **encoder**, whose short code compresses, "
          "denoises or flags anomalies (see the Autoencoders page), and its decoder only knows "
          "the codes its encoder makes (the blurry digits on the left). A GAN is the model "
          "whose finished product really is the decoder-like half: a generator trained from "
          "the start to draw from *any* random code."))


def live_gan() -> None:
    st.header(_("6 · Train a GAN yourself, in 2-D"), anchor="live-gan")
    st.markdown(_(
        "Digits have 784 pixels; here a point has two numbers, so you can watch everything "
        "(after GAN Lab). The generator (two hidden layers of 64) moves random points; the "
        "discriminator colours the plane by how real it thinks each spot is (green: real, "
        "purple: generated). It is the same `GAN` class and `train_step` as the DCGAN above; "
        "each step runs through the server's queue, and the picture updates as it trains."))
    gan = st.session_state.get("gan_live")
    wait_for_a_stopped_run()
    job = st.session_state.get("gan_live_job")
    busy = job is not None and not job.finished
    settings, points = live_settings(busy)
    if gan is None:
        lease = st.session_state["gan_live_lease"] = live_pool().lease(settings, points)
        gan = st.session_state["gan_live"] = lease.gan
    problems = view.problem_messages(settings, points)
    for message in problems:
        st.warning(message, icon=":material/error:")
    live_controls(gan, settings, points, busy, bool(problems))
    finished = jobs_view.follow("gan_live_job", _("Training the 2-D GAN"),
                                preview=draw_frame)
    if finished is not None and finished.state == "failed":
        st.warning(_("The run did not finish: {error}", error=as_text(finished.error)))
    if not busy:
        draw_frame(gan.frame)
    reader_asks(
        _("Isn't a GAN a generative model too?"),
        _("Yes. The chapter's generative models are the networks that *make* data rather than "
          "label it; it shows Deep Dream, and a GAN is one as well: the book's chapter 4 trains "
          "the DCGAN above. Deep Dream changes a photo to excite a fixed classifier; a GAN "
          "trains a generator to make new samples that a discriminator cannot tell from "
          "real ones."))


def live_settings(busy: bool) -> tuple[live.Settings, np.ndarray | None]:
    st.session_state.setdefault("gan_points", [])
    target = st.segmented_control(_("Target"), list(live.TARGETS), default="ring",
                                  format_func=lambda k: _(live.TARGETS[k]), key="gan_target",
                                  disabled=busy) or "ring"
    c2, c3, c4, c5 = st.columns(4)
    g_rate = c2.text_input(_("Generator learning rate"), "0.001", key="gan_g_lr", disabled=busy)
    d_rate = c3.text_input(_("Discriminator learning rate"), "0.002", key="gan_d_lr",
                           disabled=busy)
    steps = c4.number_input(_("Steps per run"), min_value=1, value=live.Settings.steps,
                            step=100, key="gan_steps", disabled=busy,
                            help=_("At most {most} per run.", most=live.MAX_STEPS))
    seed = c5.number_input(_("Seed"), 0, 9999, 0, key="gan_live_seed", disabled=busy,
                           help=_("Takes effect at Reset."))
    points = None
    if target == "drawn":
        points = np.array(st.session_state.gan_points, np.float32).reshape(-1, 2)
        place_points(busy)
    return live.Settings(target, view.parse_rate(g_rate), view.parse_rate(d_rate),
                         int(steps), seed=int(seed)), points


def place_points(busy: bool) -> None:
    left, right = st.columns([2, 3])
    with left:
        st.altair_chart(view.placement_chart(st.session_state.gan_points), key="gan_place",
                        on_select=add_point, selection_mode="place")
    with right:
        st.markdown(_("Click the plane to place points (at least {n}); the GAN learns a small "
                      "cloud around each. {count} placed.", n=live.MIN_POINTS,
                      count=len(st.session_state.gan_points)))
        undo, clear = st.columns(2)
        undo.button(_("Undo last point"), key="gan_undo", disabled=busy, on_click=undo_point,
                    icon=":material/undo:")
        clear.button(_("Clear points"), key="gan_clear", disabled=busy,
                     on_click=lambda: st.session_state.gan_points.clear(),
                     icon=":material/delete:")


def undo_point() -> None:
    if st.session_state.gan_points:
        st.session_state.gan_points.pop()


def add_point() -> None:
    spot = view.clicked_point(st.session_state.get("gan_place"))
    if spot is not None and spot not in st.session_state.gan_points:
        st.session_state.gan_points.append(spot)


def live_controls(gan, settings, points, busy: bool, blocked: bool) -> None:
    start, one, reset, collapse = st.columns(4)
    if start.button(_("Start"), key="gan_start", type="primary", disabled=busy or blocked,
                    icon=":material/play_arrow:"):
        submit(settings, points, settings.steps)
    if one.button(_("One step"), key="gan_one", disabled=busy or blocked,
                  icon=":material/skip_next:"):
        submit(settings, points, 1)
    if reset.button(_("Reset"), key="gan_reset", disabled=busy or blocked,
                    icon=":material/restart_alt:"):
        gan.configure(settings, points)
        gan.reset()
    collapse.button(_("Show mode collapse"), key="gan_collapse", disabled=busy,
                    on_click=show_collapse, icon=":material/warning:",
                    help=_("Eight blobs, and a generator that learns ten times faster than its "
                           "discriminator."))
    target = _(live.TARGETS[gan.settings.target])
    if gan.settings.target == "blobs":
        st.caption(_("Step {step} · {target} · blobs covered: {n} of 8", step=gan.step,
                     target=target, n=live.blobs_covered(gan.frame.fake)))
    else:
        st.caption(_("Step {step} · {target}", step=gan.step, target=target))


def show_collapse() -> None:
    bad = live.COLLAPSE
    st.session_state.update(gan_target=bad.target, gan_g_lr=f"{bad.g_learning_rate:g}",
                            gan_d_lr=f"{bad.d_learning_rate:g}", gan_steps=bad.steps,
                            gan_live_seed=bad.seed)
    gan = st.session_state.get("gan_live")
    if gan is not None:
        gan.configure(bad)
        gan.reset()
    st.session_state.gan_collapse_note = True


def submit(settings, points, steps: int) -> None:
    st.session_state.gan_live_last = None  # jobs_view.submit reruns: remember the job then
    jobs_view.submit("gan_live_job", "training", view.live_work(
        st.session_state["gan_live_lease"], settings, points, steps))


def wait_for_a_stopped_run(limit_s: float = 15.0) -> None:
    """After Stop, let the run end its current step before the page reads the networks (a
    stop lands between two steps: a fraction of a second, longer on the first, traced one)."""
    import time

    job = st.session_state.get("gan_live_job") or st.session_state.get("gan_live_last")
    st.session_state.gan_live_last = job
    if job is None or job.finished or "gan_live_job" in st.session_state:
        return
    with st.spinner(_("Stopping after the current step…")):
        deadline = time.monotonic() + limit_s
        while not job.finished and time.monotonic() < deadline:
            time.sleep(0.05)


def draw_frame(frame) -> None:
    plane, losses = st.columns([3, 2])
    plane.altair_chart(view.frame_chart(frame), width="content")
    if frame.d_loss:
        losses.altair_chart(view.loss_chart(frame), width="stretch", height=280)
    else:
        losses.info(_("Press **Start** to train, or **One step** to watch a single step."))
    if st.session_state.get("gan_collapse_note") and not frame.d_loss:
        losses.markdown(_("**Mode collapse:** press Start. Instead of spreading over all eight "
                          "blobs, the generator's points crowd into one clump that hops from "
                          "blob to blob, wherever the discriminator is still fooled. Lower the "
                          "generator's learning rate (say 0.001, with 0.002 for the "
                          "discriminator) and Reset to see it cover them all."))


intro()
if shipped_generator("dcgan") is None:
    missing_generator()
else:
    chosen_kind, chosen_digit = digits_from_noise()
    latent_walk(chosen_kind, chosen_digit)
    chosen_card = shipped_generator(chosen_kind)[1]
    training_story(chosen_kind, chosen_card)
    judged(chosen_kind, chosen_card)
    versus_decoder()
live_gan()
map_terms("gan")
