"""Backends: the same Keras code on TensorFlow, JAX, NumPy and PyTorch, side by side."""

import inspect

import streamlit as st

import pages  # noqa: F401 - a shared link to this page runs inside the app
from core import i18n
from core.i18n import N_, _
from pages.common import map_terms, reader_asks

st.title(_("Backends"))
st.markdown(_(
    "Keras does not compute anything itself: it hands every operation to a **backend**. The "
    "book's Keras 2 ran on TensorFlow, Theano or CNTK; Keras 3 runs on **TensorFlow**, "
    "**JAX**, **PyTorch** and **NumPy** (forward only). The backend is chosen once, when Keras "
    "is imported (the `KERAS_BACKEND` environment variable), and cannot change in a running "
    "program. So this page keeps one small worker process per backend, sends each the very same "
    "code and compares what comes back."))

with st.spinner(_("Starting Keras…")):
    from core.backends import cases, view
    from core.backends.pool import INSTALL, NEEDS, shared_pool
    from core.customizing import distance, lrn

CASES = {"distance": N_("The book's Lambda layer: Euclidean distance"),
         "lrn": N_("The book's custom layer: Local Response Normalization"),
         "model": N_("A shipped model on a fixed batch")}

# One worker per backend for the whole server, shared by every student: each starts when this
# page is first opened and stops after five idle minutes, or with the server.
pool = shared_pool()
pool.start()


def backends_on_this_server() -> None:
    st.header(_("1 · One process, one backend"), anchor="one-process-one-backend",
              divider="gray")
    st.markdown(_(
        "Each worker below is a separate Python process started with its own `KERAS_BACKEND`. "
        "The workers for JAX, NumPy and PyTorch are not even allowed to import TensorFlow, so "
        "whatever they compute, they compute without it."))
    states = pool.states()
    infos = {b: w.info for b, w in pool.workers.items()}
    troubles = {b: w.trouble for b, w in pool.workers.items()}
    st.dataframe(view.states_frame(states, infos, pool.missing, INSTALL, troubles),
                 hide_index=True)
    for backend, trouble in troubles.items():
        if trouble is not None and states[backend] == "failed":  # (a stopped one restarts)
            st.warning(view.trouble_message(backend, trouble), icon=":material/error:")
            if st.button(_("Start the {name} worker again", name=view.NAMES[backend]),
                         key=f"be_retry_{backend}", icon=":material/restart_alt:"):
                pool.workers[backend].retry()
                st.rerun()
    for backend in pool.missing:
        st.info(_("**{name}** is not available on this server: the Python package "
                  "`{package}` is not installed. Everything else on this page works without "
                  "it. To add it: `{command}`", name=view.NAMES[backend],
                  package=NEEDS[backend], command=INSTALL[backend]),
                icon=":material/extension_off:")
    if {"jax", "numpy"} & set(pool.missing):
        st.caption(_("Keras 3.15's NumPy backend borrows a few functions from JAX, so both "
                     "come with the same extra: `requirements-backends.txt`."))


@st.fragment(run_every=2.0)
def wait_for_workers() -> None:
    """Polls until every worker has started, then shows the rest of the page."""
    states = pool.states()
    starting = [view.NAMES[b] for b, s in states.items() if s == "starting"]
    ready = sum(s == "ready" for s in states.values())
    if not starting:
        st.rerun()
    st.progress(ready / max(1, len(pool.workers)), text=_(
        "Starting the backend workers ({ready} of {total} ready; waiting for {names}). They "
        "start when this page is first opened, and again after five idle minutes: up to a "
        "minute on a busy server.",
        ready=ready, total=len(pool.workers), names=i18n.listing(starting)))


@st.fragment
def same_code() -> None:
    st.header(_("2 · The same code on every backend"), anchor="same-code-every-backend",
              divider="gray")
    case = st.segmented_control(_("Code to run"), list(CASES), default="distance",
                                format_func=lambda key: _(CASES[key]), required=True,
                                key="be_case")
    left, right = st.columns([2, 1])
    seed = right.number_input(_("Random seed of the inputs"), 0, 9999, 0, key="be_seed")
    if case == "distance":
        args = {"seed": int(seed)}
        left.code(inspect.getsource(distance.euclidean_distance), language="python")
        x, y = cases.distance_inputs(int(seed))
        st.caption(_("As in the book's `measure_model`: two 4 × 3 matrices of random digits, "
                     "x = {x} and y = {y}; one distance per row.",
                     x=x.astype(int).tolist(), y=y.astype(int).tolist()))
    elif case == "lrn":
        args = {"seed": int(seed)}
        left.code(inspect.getsource(lrn.LocalResponseNormalization), language="python")
        st.caption(_("As in the book's test: `np.random.randn(225, 225, 3)` through "
                     "`LocalResponseNormalization()` with the book's settings, and through the "
                     "lab's two other LRN layers (Customizing Keras, section 3)."))
    else:
        names = [name for name in cases.PAGE_MODELS if name in cases.shipped_models()]
        name = left.selectbox(_("Shipped model"), names, key="be_model")
        args = {"name": name, "seed": int(seed)}
        left.code(inspect.getsource(cases.model), language="python")
        st.caption(_("A fixed batch of four random inputs of the right shape and type (numbers "
                     "in [0, 1), word ids within the vocabulary): the point is not the answer "
                     "but that every backend gives the same one. The first run of a model on a "
                     "backend loads and compiles it; the next ones are fast."))
    answers = pool.run(case, args)
    show_answers(answers, first_output=next(
        (key for answer in answers.values() if answer.ok for key in answer.outputs), None))
    reader_asks(
        _("The book's sample code sometimes imports the backend API. Is it for running on two "
          "backends at once, since Keras hands its work to TensorFlow or CNTK?"),
        _("Not at once: a Keras program runs on exactly one backend, fixed when Keras is "
          "imported. \"Spanning several backends\" means that *one piece of code* runs "
          "unchanged on whichever backend the program started with. That is what "
          "`from keras import backend as K` was for in Keras 2 (TensorFlow, Theano, CNTK), "
          "and what `keras.ops` is in Keras 3. Above, the same function went to one process "
          "per backend and came back with the same numbers. What cannot span backends is the "
          "gradient: each backend has its own (section 4)."))


def say_troubles(answers) -> None:
    """What went wrong with a worker during this click, in full."""
    for message in view.click_messages(answers):
        st.warning(message, icon=":material/error:")


def show_answers(answers, first_output: str | None) -> None:
    """The comparison table, the times and the first numbers of one output, per backend."""
    say_troubles(answers)
    diff, scaled = view.agreement(answers)
    agreeing = sum(a.ok for a in answers.values())
    a, b, c = st.columns(3)
    a.metric(_("Backends that ran it"), f"{agreeing} / {len(answers)}")
    b.metric(_("Largest difference"), f"{diff:.1e}",
             help=_("max |output − reference output| over every number of every output"))
    c.metric(_("Slowest click"), _("{ms:.0f} ms", ms=1000 * max(
        (x.round_trip or 0.0 for x in answers.values()), default=0.0)))
    if agreeing > 1 and scaled <= 1e-4:
        st.success(_("Every backend gives the same numbers, up to float32 rounding."),
                   icon=":material/check_circle:")
    elif agreeing > 1:
        st.warning(_("The backends disagree by more than float32 rounding explains."),
                   icon=":material/warning:")
    st.dataframe(view.comparison(answers), hide_index=True,
                 column_config={_("max |difference|"): st.column_config.NumberColumn(
                     format="%.1e")})
    left, right = st.columns(2)
    left.altair_chart(view.time_chart(answers), width="stretch")
    if first_output is not None:
        right.caption(_("The first numbers of `{output}`, per backend", output=first_output))
        right.dataframe(view.outputs_frame(answers, first_output), hide_index=True)


@st.fragment
def book_lines() -> None:
    st.header(_("3 · The book's `K.*` calls in Keras 3"), anchor="book-calls", divider="gray")
    st.markdown(_(
        "The book writes `from keras import backend as K` and then `K.sqrt`, `K.sum`, "
        "`K.pool2d`, … Keras 3 spells the same math `keras.ops`, with NumPy's names. Every "
        "Keras 3 line below was just evaluated, as written, on each backend; the table shows "
        "what TensorFlow returned and how far the others were from it."))
    seed = st.number_input(_("Random seed of the inputs"), 0, 9999, 0, key="be_book_seed")
    answers = pool.run("book_lines", {"seed": int(seed)})
    say_troubles(answers)
    st.markdown(view.book_table(answers))
    st.caption(_("`K.gradients` and `K.function` have no `keras.ops` spelling: gradients belong "
                 "to the backend (next section), and a graph function is now a plain Python "
                 "function."))


@st.fragment
def gradient_step() -> None:
    st.header(_("4 · Where portability ends: the gradient"), anchor="gradient", divider="gray")
    st.markdown(_(
        "Deep Dream climbs the gradient of a layer's mean activation with respect to the "
        "image. The book asks the Keras 2 backend for it, `K.gradients(loss, dream)[0]`; "
        "Keras 3 has no such op, because each backend differentiates in its own way. So this "
        "one function is written once per backend, and everything around it stays portable:"))
    st.code(view.shared_source(), language="python")
    sources = view.gradient_sources()
    for column, backend in zip(st.columns(len(sources)), sources, strict=True):
        column.markdown(f"**{view.NAMES[backend]}**")
        column.code(sources[backend], language="python")
    st.caption(_("NumPy has no automatic differentiation: its backend runs models forward only."))
    left, right = st.columns(2)
    layer = left.selectbox(_("SqueezeNet layer to amplify"), cases.DREAM_LAYERS,
                           index=cases.DREAM_LAYERS.index("fire5_concat"), key="be_layer")
    iterations = right.slider(_("Gradient-ascent steps (the book takes 3)"), 1, 5, 3,
                              key="be_iterations")
    answers = pool.run("dream_step", {"layer": layer, "iterations": iterations})
    show_answers(answers, first_output="losses")
    photo = cases.dream_image()[0]
    shown = [(b, a) for b, a in answers.items() if a.ok]
    if shown:
        columns = st.columns(len(shown) + 1)
        columns[0].image(view.to_pixels(photo), caption=_("the photo"), width="stretch")
        for column, (backend, answer) in zip(columns[1:], shown, strict=True):
            column.image(view.change_pixels(photo, answer.outputs["image"]), width="stretch",
                         caption=_("{name}: what the steps added", name=view.NAMES[backend]))


def every_shipped_model() -> None:
    st.header(_("5 · Every shipped model, every backend"), anchor="every-model", divider="gray")
    st.markdown(_(
        "Every model in this lab is built from Keras layers and custom layers written with "
        "`keras.ops` only, so each `.keras` file in `assets/` loads and predicts on every "
        "backend. One command checks them all, the cases above included, and prints one line "
        "of JSON:"))
    st.code("python -m core evaluate backends", language="bash")
    st.caption(_("The same figures as TensorFlow within 1e-4 (relative to the output's size for "
                 "SqueezeNet's large activations); a backend that is not installed is listed "
                 "with the reason."))


backends_on_this_server()
if any(state == "starting" for state in pool.states().values()):
    wait_for_workers()
else:
    same_code()
    book_lines()
    gradient_step()
every_shipped_model()
map_terms("backends")
