"""Memory network: a story, a question, an answer, and where each hop looked."""

import random

import altair as alt
import pandas as pd
import streamlit as st

from core import data as datalayer
from core.babi import answer as qa
from core.babi.data import TASKS, story_text
from pages.common import explain_missing, locate_or_explain
from pages.text import as_text

CHAPTER_STORY = "john travelled to the hallway\nmary journeyed to the bathroom"
CHAPTER_QUESTION = "where is john"
EXAMPLE_QUESTIONS = {1: "where is mary", 2: "where is the football",
                     3: "where was the football before the kitchen"}

st.title("Memory network: questions about a story")
st.markdown(
    "Facebook's **bAbI** tasks are tiny stories followed by questions: *john travelled to the "
    "hallway · mary journeyed to the bathroom · **where is john?*** → *hallway*. The answer is "
    "in the story, but the network has to find the right sentence. An **end-to-end memory "
    "network** (Sukhbaatar et al. 2015) keeps every statement as a *memory*, scores each "
    "memory against the question, reads a weighted sum of them, and repeats this **hop** three "
    "times, so that one fact can lead to the next (*who holds the football → where did they "
    "go*). All of it is the functional API: two inputs, embeddings, dot products, softmax, sums.")


@st.cache_resource(show_spinner="Loading the shipped model…")
def shipped(task: int, kind: str = "memn2n"):
    return qa.load(task, kind)


@st.cache_data(show_spinner="Reading the bAbI stories…")
def validation_examples(task: int, data_root: str):
    return qa.validation_examples(task, data_root)


# --- 1. Pick a task ----------------------------------------------------------------------------
st.header("1 · Pick a task")
task = st.radio("bAbI task", list(TASKS), horizontal=True, key="babi_task",
                format_func=lambda t: f"Task {t}: {TASKS[t][1]}",
                on_change=lambda: new_story(), help="Switching task tells a new story for it.")
try:
    net, vocab, card = shipped(task)
except (FileNotFoundError, ValueError) as err:
    st.error(f"The shipped model for task {task} could not be loaded: {err}")
    st.stop()
st.caption(f"Shipped model: {card['parameters']:,} parameters, "
           f"{card['metrics']['validation']['accuracy']:.1%} right on "
           f"{card['metrics']['validation']['questions']:,} held-out validation questions; "
           f"memory of the last {vocab.memory_size} statements.")

# --- 2. A story and a question -----------------------------------------------------------------
st.header("2 · Write a story, ask a question")
st.session_state.setdefault("babi_story", CHAPTER_STORY)
st.session_state.setdefault("babi_question", CHAPTER_QUESTION)
st.session_state.setdefault("babi_seed", 0)

availability = datalayer.availability("babi")
data_path = availability.path
if availability.state == "missing":
    explain_missing("babi", "stories drawn from the bAbI files", works="“New story” draws "
                    "from a small story generator instead, and the model answers any story")
elif data_path is None and st.button("Download the bAbI tasks (about 15 MB)"):
    data_path = locate_or_explain("babi", "stories from the bAbI files")


def new_story() -> None:
    st.session_state["babi_seed"] += 1
    seed, task = st.session_state["babi_seed"], st.session_state["babi_task"]
    if data_path is not None:  # data_path is <root>/babi/tasks_1-20_v1-2
        examples = validation_examples(task, str(data_path.parent.parent))
        example, source = examples[random.Random(seed).randrange(len(examples))], "babi"
    else:
        example, source = qa.generated_example(task, seed), "generator"
    st.session_state["babi_story"] = story_text(example)
    st.session_state["babi_question"] = " ".join(example.question)
    st.session_state["babi_example"] = (task, example, source)


left, right = st.columns([3, 1])
with right:
    st.button("New story", on_click=new_story, type="primary", width="stretch", key="babi_new",
              help="A validation story from bAbI (never seen in training) when the data is "
                   "here; otherwise one from the generator in core/babi/generator.py.")
    if st.button("The chapter's story", width="stretch"):
        st.session_state.update(babi_story=CHAPTER_STORY, babi_question=CHAPTER_QUESTION)
        st.session_state.pop("babi_example", None)
        st.rerun()
with left:
    story_in = st.text_area("Story, one statement a line", key="babi_story", height=180)
    question_in = st.text_input("Question", key="babi_question",
                                help=f"For example: “{EXAMPLE_QUESTIONS[task]}”")

reading = qa.read(story_in, question_in, vocab)
for problem in reading.problems:
    st.warning(as_text(problem), icon=":material/edit_note:")
if reading.unknown:  # named as typed, shown as text
    st.warning("The model has never seen " + ", ".join(f"**{as_text(w)}**" for w in reading.unknown)
               + ". Those words are left out of what it reads, so its answer may be off: "
               "try the words below.", icon=":material/spellcheck:")
    with st.expander(f"The {len(vocab) - 1} words task {task} knows"):
        st.write(" · ".join(vocab.words[1:]))
for note in reading.notes:
    st.warning(as_text(note), icon=":material/visibility_off:")
if reading.problems:
    st.stop()
if reading.dropped:
    st.info(f"The story has {len(reading.story)} statements; the memory holds the last "
            f"{vocab.memory_size}, so the first {reading.dropped} are left out.",
            icon=":material/content_cut:")

# --- 3. The answer -----------------------------------------------------------------------------
st.header("3 · The answer")
result = qa.answer(net, vocab, reading.story, reading.question)
best, prob = result.ranking[0]
st.metric("Answer", best, f"{prob:.1%} sure", delta_color="off")
chosen = st.session_state.get("babi_example")
known = chosen if chosen and chosen[0] == task and story_text(chosen[1]) == story_in.strip() \
    and " ".join(chosen[1].question) == " ".join(reading.question) else None
if known:
    truth = known[1].answer
    (st.success if truth == best else st.error)(
        f"The {'bAbI file' if known[2] == 'babi' else 'generator'} says: **{truth}**.")
ranking = pd.DataFrame(result.ranking, columns=["word", "probability"])
st.altair_chart(alt.Chart(ranking).mark_bar().encode(
    x=alt.X("probability:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
    y=alt.Y("word:N", sort="-x", title=None),
    tooltip=["word", alt.Tooltip("probability:Q", format=".2%")],
).properties(height=alt.Step(24), title="The five most likely answers"), width="stretch")

# --- 4. Where each hop looked ------------------------------------------------------------------
st.header("4 · Where each hop looked")
st.markdown("Each hop spreads one unit of attention over the memories. Hop 1 matches the "
            "question; later hops match the question *plus what was read so far*, so they can "
            "follow a chain: the football → the person who took it → where that person went.")
supporting = set(known[1].supporting) if known else set()
# Long stories: show the statements some hop looked at (≥ 1%), and the supporting facts.
shown = [offset for offset in range(result.attention.shape[1])
         if len(reading.story) <= 12 or result.attention[:, offset].max() >= 0.01
         or result.first_kept + offset in supporting]
rows = []
for hop, weights in enumerate(result.attention, 1):
    for offset in shown:
        weight, index = weights[offset], result.first_kept + offset
        star = "★ " if index in supporting else ""
        rows.append({"hop": f"hop {hop}", "attention": float(weight),
                     "statement": f"{star}{index + 1}. {' '.join(reading.story[index])}"})
frame = pd.DataFrame(rows)
base = alt.Chart(frame).encode(
    x=alt.X("hop:N", title=None, axis=alt.Axis(orient="top", labelAngle=0)),
    y=alt.Y("statement:N", sort=list(dict.fromkeys(frame["statement"])), title=None,
            axis=alt.Axis(labelLimit=420)))
heat = base.mark_rect().encode(
    color=alt.Color("attention:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), legend=None),
    tooltip=["hop", "statement", alt.Tooltip("attention:Q", format=".1%")])
numbers = base.mark_text(fontSize=11).encode(
    text=alt.Text("attention:Q", format=".0%"),
    color=alt.condition("datum.attention > 0.5", alt.value("white"), alt.value("#333")))
st.altair_chart((heat + numbers).properties(height=alt.Step(26)),
                width="stretch")
if hidden := result.attention.shape[1] - len(shown):
    st.caption(f"{hidden} statements in memory got under 1% of every hop's attention and "
               "are not drawn.")
if supporting:
    st.caption("★ marks the statements the bAbI file names as the supporting facts: a "
               "well-trained network puts its attention there without ever being told.")

with st.expander("How the network is wired (functional API)"):
    st.markdown("Two `Input`s (story ids: memory × words, question ids: words). Each hop "
                "embeds the memories twice, position-encodes each sentence into one vector, "
                "adds a learned *temporal* vector per slot (how long ago), scores memories "
                "against the state with dot products, softmaxes, reads a weighted sum with a "
                "`Dot` layer and `Add`s it to the state. A `Dense` softmax over the vocabulary "
                "answers; a `Concatenate` of the hops' attention is the model's second output.")
    st.dataframe(pd.DataFrame(qa.layer_table(net)), hide_index=True, width="stretch")

# --- 5. Book vs memory network -----------------------------------------------------------------
st.header("5 · The book's network vs the memory network")
st.markdown("The book's network answers the same question, but it resets the story after each "
            "question, so it only reads **the last two statements** as one run of words, "
            "matches them against the question and hands the result to an LSTM(32).")
try:
    book_net, _, book_card = shipped(task, "book")
except (FileNotFoundError, ValueError):
    st.info("The book's network is shipped for task 1 only; pick task 1 to compare.")
else:
    book_ranking = qa.book_answer(book_net, vocab, reading.story, reading.question)
    columns = st.columns(2)
    for column, name, ranked, meta in (
            (columns[0], "Book: last 2 statements, LSTM(32)", book_ranking, book_card),
            (columns[1], "Memory network: 3 hops", result.ranking, card)):
        with column:
            st.subheader(name)
            st.metric("Answer", ranked[0][0], f"{ranked[0][1]:.1%} sure", delta_color="off")
            st.caption(f"Validation accuracy {meta['metrics']['validation']['accuracy']:.1%}, "
                       f"{meta['parameters']:,} parameters.")
    st.markdown("Try a story where the answer lies further back, e.g. *john went to the "
                "garden · mary went to the office · sandra went to the kitchen* and ask "
                "*where is john*: the book's window no longer contains john.")

with st.expander("The shipped models: how well, how fast, how to rebuild them"):
    st.dataframe(pd.DataFrame(qa.shipped_cards()), hide_index=True, width="stretch",
                 column_config={"validation accuracy": st.column_config.NumberColumn(
                     format="percent")})
    st.caption("Validation questions come from whole stories held out of the training files "
               "(the official test files are kept apart). Task 3 has only 1,000 real training "
               "questions: its model learns from 30,000 questions of the story generator alone "
               "(which asks them the way bAbI's task 3 does), so all 1,000 real ones validate "
               "it.")
