"""Memory network: a story, a question, an answer, and where each hop looked — for all 20 tasks."""

import pandas as pd
import streamlit as st

from core import datasets, i18n
from core.babi import answering, book, data, examples, training, view
from core.babi.data import REASONING, TASKS, story_text
from core.i18n import _
from pages.common import explain_missing, locate_or_explain, map_terms
from pages.shipped import shipped_model
from pages.text import as_text

CHAPTER_STORY = "john travelled to the hallway\nmary journeyed to the bathroom"
CHAPTER_QUESTION = "where is john"
FURTHER_BACK = "john went to the garden\nmary went to the office\nsandra went to the kitchen"


@shipped_model(show_spinner=False)
def shipped(task: int, kind: str = "memn2n"):
    return training.load_shipped(task, kind)


@st.cache_data(show_spinner=False)
def story_pool(task: int, from_files: bool) -> list:
    """The questions "New story" draws from: the task file's validation stories (never
    trained on), or without the data the few shipped with the app."""
    return data.validation_examples(task) if from_files else examples.load(task)


@st.cache_data(max_entries=2048, show_spinner=False)
def answer(task: int, story: tuple, question: tuple):
    """Keyed by what the model reads: the same story and question answer every student at once."""
    net, vocab, _card = shipped(task)
    return answering.answer(net, vocab, list(story), question)


@st.cache_data(max_entries=2048, show_spinner=False)
def book_answer(story: tuple, question: tuple):
    """The book's network reads with task 1's vocabulary, like the memory network beside it."""
    book_net, vocab = shipped(1, "book")[0], shipped(1)[1]
    return answering.book_answer(book_net, vocab, list(story), question)


@st.cache_data(show_spinner=False)
def task_rows(language: str) -> list[dict]:
    return view.task_table()


@st.cache_data(show_spinner=False)
def supervision_rows(language: str) -> list[dict]:
    return view.supervision_rows()


def files_here() -> bool:
    return datasets.availability("babi").path is not None


# --- callbacks: they run before the page, so they are defined first ------------------------------
def new_story() -> None:
    """A validation story for the current task (or a shipped one without the data)."""
    st.session_state["babi_seed"] = st.session_state.get("babi_seed", 0) + 1
    task, from_files = st.session_state["babi_task"], files_here()
    with st.spinner(_("Reading the bAbI stories…")):
        example = examples.pick_one(story_pool(task, from_files), st.session_state["babi_seed"])
    st.session_state.update(babi_story=story_text(example),
                            babi_question=" ".join(example.question),
                            babi_example=(task, example, "babi" if from_files else "shipped"))


def set_story(story: str, question: str) -> None:
    st.session_state.update(babi_story=story, babi_question=question)
    st.session_state.pop("babi_example", None)


# --- sections ------------------------------------------------------------------------------------
def introduction() -> None:
    st.title(_("Memory network: questions about a story"))
    st.markdown(_(
        "Facebook's **bAbI** tasks are tiny stories followed by questions: *john travelled to "
        "the hallway · mary journeyed to the bathroom · **where is john?*** → *hallway*. The "
        "answer is in the story, but the network has to find the right sentence. An **end-to-end "
        "memory network** (Sukhbaatar et al. 2015) keeps every statement as a *memory*, scores "
        "each memory against the question, reads a weighted sum of them, and repeats this "
        "**hop** several times, so that one fact can lead to the next (*who holds the football → "
        "where did they go*). All of it is the functional API: two inputs, embeddings, dot "
        "products, softmax, sums. The 20 tasks each test one kind of reasoning; pick one below. "
        "The networks learnt bAbI's English words only: write stories and questions in English."))


def pick_task():
    """The task chosen, and its shipped network, vocabulary and card (the page stops without)."""
    st.header(_("1 · Pick a task"), anchor="pick-a-task")
    task = st.selectbox(_("bAbI task"), list(TASKS), key="babi_task", on_change=new_story,
                        format_func=lambda t: _("Task {n}: {title}", n=t, title=_(TASKS[t][1])),
                        help=_("Switching task tells a story for it."))
    st.markdown(_("**What it takes:** {reasoning}.", reasoning=_(REASONING[task])))
    try:
        net, vocab, card = shipped(task)
    except (FileNotFoundError, ValueError) as err:
        st.error(_("The shipped model for task {n} could not be loaded: {error}", n=task,
                   error=as_text(err)))
        st.stop()
    added = view.extensions(card)
    st.caption(_("Shipped model: {hops} hops, {parameters:,} parameters, {accuracy:.1%} right on "
                 "{questions:,} held-out validation questions; memory of the last {memory} "
                 "statements.", hops=card.training["hops"], parameters=card.parameters,
                 accuracy=card.validation["accuracy"], questions=card.validation["questions"],
                 memory=vocab.memory_size)
               + (" " + _("Added to the paper's network: {added}.", added=added) if added else ""))
    return task, net, vocab, card


def story_source() -> None:
    """Where "New story" takes its stories from, and how to get the bAbI files."""
    availability = datasets.availability("babi")
    if availability.state == "missing":
        explain_missing("babi", _("“New story” from the whole bAbI files"),
                        works=_("answers to any story you type, and “New story” from the {n} "
                                "bAbI questions per task shipped with the app",
                                n=examples.PER_TASK))
    elif availability.path is None and st.button(_("Download the bAbI tasks")):
        locate_or_explain("babi", _("stories from the bAbI files"))


@st.fragment
def ask_and_answer(task: int, vocab, card) -> None:
    """Editing the story or the question reruns only this part of the page."""
    st.header(_("2 · Write a story, ask a question"), anchor="story-and-question")
    st.session_state.setdefault("babi_story", CHAPTER_STORY)
    st.session_state.setdefault("babi_question", CHAPTER_QUESTION)
    left, right = st.columns([3, 1])
    with right:
        st.button(_("New story"), on_click=new_story, type="primary", width="stretch",
                  key="babi_new", help=_("A validation story from bAbI (never seen in training) "
                                         "when the data is here; otherwise one of the few "
                                         "shipped with the app."))
        if task == 1:
            st.button(_("The chapter's story"), on_click=set_story,
                      args=(CHAPTER_STORY, CHAPTER_QUESTION), width="stretch",
                      key="babi_chapter", help=_("The story of the book's chapter."))
    with left:
        story_in = st.text_area(_("Story, one statement a line (in English)"), key="babi_story",
                                height=180)
        question_in = st.text_input(_("Question"), key="babi_question")

    reading = answering.read(story_in, question_in, vocab)
    if not reading_is_usable(reading, task, vocab):
        return
    result = answer(task, tuple(reading.story), reading.question)
    known = view.known_example(st.session_state.get("babi_example"), task, story_in, reading)
    the_answer(task, result, known)
    where_each_hop_looked(reading, result, known, card)
    if task == 1:
        book_vs_memory_network(reading, result, card)


def reading_is_usable(reading, task: int, vocab) -> bool:
    """Say what the model cannot read; False when it cannot answer at all."""
    for problem in reading.problems:
        st.warning(as_text(problem), icon=":material/edit_note:")
    if reading.unknown:  # named as typed, shown as text
        st.warning(_("The model has never seen {words}. Those words are left out of what it "
                     "reads, so its answer may be off: try the words below.",
                     words=", ".join(f"**{as_text(w)}**" for w in reading.unknown)),
                   icon=":material/spellcheck:")
        with st.expander(_("The {n} words task {task} knows", n=len(vocab) - 1, task=task)):
            st.write(" · ".join(vocab.words[1:]))
    for note in reading.notes:
        st.warning(as_text(note), icon=":material/visibility_off:")
    if reading.problems:
        return False
    if reading.dropped:
        st.info(_("The story has {n} statements; the memory holds the last {memory}, so the "
                  "first {dropped} are left out.", n=len(reading.story),
                  memory=vocab.memory_size, dropped=reading.dropped),
                icon=":material/content_cut:")
    return True


def the_answer(task: int, result, known) -> None:
    st.header(_("3 · The answer"), anchor="the-answer")
    best, prob = result.ranking[0]
    st.metric(_("Answer"), best, _("{p:.1%} sure", p=prob), delta_color="off")
    if known:
        truth = known[1].answer
        says = (_("The bAbI file says: **{truth}**.", truth=truth) if known[2] == "babi" else
                _("The bAbI example shipped with the app says: **{truth}**.", truth=truth))
        (st.success if truth == best else st.error)(says)
    if task == 19:
        st.caption(_("n, e, s, w: north, east, south, west; the answer is the first step, then "
                     "the second."))
    st.altair_chart(view.ranking_chart(result.ranking), width="stretch")


def where_each_hop_looked(reading, result, known, card) -> None:
    st.header(_("4 · Where each hop looked"), anchor="attention-hops")
    st.markdown(_("Each hop spreads one unit of **attention** over the memories: a weight per "
                  "statement, the weights summing to 1. Hop 1 matches the question; later hops "
                  "match the question *plus what was read so far*, so they can follow a chain: "
                  "the football → the person who took it → where that person went."))
    supporting = set(known[1].supporting) if known else set()
    st.altair_chart(view.attention_chart(view.attention_frame(result, reading.story, supporting)),
                    width="stretch")
    if hidden := result.attention.shape[1] - len(
            view.shown_statements(result, reading.story, supporting)):
        st.caption(_("{n} statements in memory got under 1% of every hop's attention and are "
                     "not drawn.", n=hidden))
    if supporting and card.training.get("supervise"):
        st.caption(_("★ marks the statements the bAbI file names as the supporting facts. This "
                     "task's network was shown those statements during training (strong "
                     "supervision, see below): its hops learnt to look there from those "
                     "labels."))
    elif supporting:
        st.caption(_("★ marks the statements the bAbI file names as the supporting facts. This "
                     "task's network learnt from the answers alone: nobody told it where they "
                     "are."))


def book_vs_memory_network(reading, result, card) -> None:
    st.header(_("5 · The book's network vs the memory network"), anchor="book-vs-memory-network")
    st.markdown(_("The book's network (`composite_qa_net.py`, the chapter's example of a "
                  "**composite network**) answers the same question, but it "
                  "resets the story after each question, so it only ever reads **the last {n} "
                  "statements** as one run of words, matches them against the question and "
                  "hands the result to an LSTM.", n=book.WINDOW))
    try:
        book_card = shipped(1, "book")[2]
    except (FileNotFoundError, ValueError) as err:
        st.info(_("The book's network could not be loaded: {error}", error=as_text(err)))
        return
    rows = view.book_comparison(book_card, book_answer(tuple(reading.story), reading.question),
                                card, result.ranking)
    for column, row in zip(st.columns(len(rows)), rows, strict=True):
        with column:
            st.subheader(row["name"], anchor=row["anchor"])
            st.metric(_("Answer"), row["answer"], _("{p:.1%} sure", p=row["probability"]),
                      delta_color="off")
            st.caption(_("Validation accuracy {accuracy:.1%}, {parameters:,} parameters.",
                         accuracy=row["accuracy"], parameters=row["parameters"]))
    st.markdown(_("Try a story where the answer lies further back: the book's window no longer "
                  "contains john."))
    st.button(_("Try it"), on_click=set_story, args=(FURTHER_BACK, CHAPTER_QUESTION),
              key="babi_further")


def wiring(net) -> None:
    with st.expander(_("How this task's network is wired (functional API)")):
        st.markdown(_(
            "Two `Input`s (story ids: memory × words, question ids: words). Each hop embeds the "
            "memories twice and turns each sentence into one vector by **position encoding**: "
            "a word's vector is weighted by its place in the sentence before the sum, so that "
            "*john gave mary* and *mary gave john* differ. A **temporal encoding** then adds a "
            "learned vector per memory slot, so that the network knows how long ago a statement "
            "was made. The hop scores the memories against the state with dot products, "
            "softmaxes, reads a weighted sum with a `Dot` layer and `Add`s it to the state. A "
            "`Dense` softmax over the vocabulary answers; a `Concatenate` of the hops' attention "
            "is the model's second output."))
        st.dataframe(pd.DataFrame(view.layer_table(net)), hide_index=True, width="stretch",
                     column_config=i18n.labels(view.LAYER_COLUMNS))
        st.markdown(_("Every task's network comes from this one function of "
                      "`core/babi/model.py`, called with the task's recipe (the switches past "
                      "`hops` add what the hard tasks need); this is its source, as it runs:"))
        st.code(view.build_code(), language="python")


def beyond_the_paper(rows: list[dict]) -> None:
    st.header(_("What some tasks need beyond the paper's network"), anchor="beyond-the-paper")
    supervised = training.supervised_tasks()
    st.markdown(_(
        "The paper's memory network *finds* facts and adds up what it read: enough for most "
        "tasks. Where the answer needs more, the shipped models add, only where needed (the "
        "table below says which task uses what; each is one `python -m core train babi --task "
        "N`, trained on a CPU, the longest in {minutes:.0f} minutes):\n"
        "- **a hidden answer layer** on the final state and the question. *Is john in the "
        "kitchen?* compares what was read with the question — an equality test, which one "
        "linear layer on their sum cannot express (DMN+ answers with a non-linear module too);\n"
        "- **a relation module** (Santoro et al. 2017) for chains of comparisons (task 18: does "
        "the box fit in the suitcase?) and routes (19): a small network looks at *every pair* of "
        "statements together with what the hops gathered, and sums what it finds;\n"
        "- **an answer that sees each hop's read separately** for positional reasoning (task "
        "17), where every question combines two relations whose signs flip with each object's "
        "role: two hops read one relation each, side by side into the answer layer;\n"
        "- **supervised attention** (tasks {tasks}): bAbI names the statements that support "
        "each answer. The end-to-end network is meant to do without them; these tasks' "
        "networks are also told during training which statement each hop should read, as the "
        "first memory networks (Weston et al. 2015) were. That is more information than "
        "MemN2N, DMN+ and EntNet had, so these tasks' figures are not a like-for-like "
        "comparison. The chart below measures what it buys.",
        minutes=view.longest_training_minutes(rows), tasks=", ".join(map(str, supervised))))
    measured = supervision_rows(i18n.language())
    if measured:
        st.altair_chart(view.supervision_chart(measured), width="stretch")
        st.caption(_("The same recipe trained twice on the same questions and validated on the "
                     "same held-out stories: once told the supporting facts, once on the "
                     "answers alone (`python -m core train babi --task N --model answer-only`, "
                     "cards beside the shipped models). Another recipe, or a longer training, "
                     "might learn more from the answers alone."))
    if induction := examples.load(16):
        st.markdown(_("For induction (task 16) the chain is three statements long. Asked "
                      "*{question}?*, hop after hop learns to read {chain} → *{answer}* (pick "
                      "task 16 above and watch the hops).",
                      question=" ".join(induction[0].question),
                      chain=" → ".join(f"*{s}*" for s in view.chain(induction[0])),
                      answer=induction[0].answer))
    st.markdown(_("**Path finding (task 19)** remains the hardest here, even with supervised "
                  "hops, the relation module and wider ({dim}-dimensional) embeddings: the "
                  "answer is two compass steps, each the reverse of the stated relation or not "
                  "depending on which room is named first.",
                  dim=training.RECIPES[19].dim))


def all_tasks(rows: list[dict]) -> None:
    st.header(_("All 20 tasks: how well the shipped models answer"), anchor="all-20-tasks")
    st.dataframe(pd.DataFrame(view.anchors_table(rows)), hide_index=True, width="stretch",
                 column_config={**i18n.labels(view.ANCHOR_COLUMNS), "mean error":
                                st.column_config.NumberColumn(_("mean error"), format="percent")})
    supervised = [str(row["task"]) for row in rows if row.get("supervised attention")]
    caption = _("The papers' figures are on the official test sets with 10,000 training "
                "questions per task, learning from the answers alone; ours are on validation "
                "stories held out of the 10k training files (the official test files are kept "
                "apart for an independent check).")
    if supervised:
        caption += " " + _("Tasks {tasks} also learnt from bAbI's supporting facts.",
                           tasks=", ".join(supervised))
    if generated := view.generated_task():
        caption += " " + _("Task {task}'s model learns from {n:,} questions of the story "
                           "generator only, and all {m:,} real questions of its training file "
                           "validate it.", task=generated[0], n=generated[1], m=generated[2])
    st.caption(caption)
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        **i18n.labels(view.TASK_COLUMNS),
        "validation accuracy": st.column_config.NumberColumn(_("validation accuracy"),
                                                             format="percent"),
        "error": st.column_config.NumberColumn(_("error rate"), format="percent")})
    st.caption(_(examples.ATTRIBUTION))


introduction()
task, net, vocab, card = pick_task()
story_source()
ask_and_answer(task, vocab, card)
wiring(net)
rows = task_rows(i18n.language())
beyond_the_paper(rows)
all_tasks(rows)
map_terms("memory_network")
