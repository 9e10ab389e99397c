"""What the chapter's map shows, computed: the JSON of `python -m core concepts`, the Altair
map for Home, the glossary table and the SVG a student downloads (no Streamlit here)."""

from __future__ import annotations

import functools
from collections.abc import Collection
from xml.sax.saxutils import escape

import altair as alt
import pandas as pd

from core import i18n
from core.concepts.terms import BY_ID, EDGES, TERMS, Term
from core.i18n import N_, _

SELECTION = "term"  # the map's click selection: the clicked node's id
WIDTH, HEIGHT = 104.0, 66.0  # the map's coordinates (Term.at)
X_DOMAIN, Y_DOMAIN = (-4.0, WIDTH + 6), (-3.0, HEIGHT + 4)  # what the chart shows, margins too
PX_PER_UNIT = 10  # the SVG's scale
# One colour per region of the chapter (the page a term lives on), colour-blind safe (Tableau 10).
REGIONS = {
    "functional_api": ("#4e79a7", N_("Functional API")),
    "regression": ("#59a14f", N_("Regression")),
    "memory_network": ("#b07aa1", N_("Memory network")),
    "autoencoders": ("#f28e2b", N_("Autoencoders")),
    "sequence_autoencoders": ("#edc948", N_("Sequence autoencoders")),
    "customizing_keras": ("#76b7b2", N_("Customizing Keras")),
    "backends": ("#76b7b2", N_("Customizing Keras")),
    "deep_dream": ("#e15759", N_("Generative models")),
    "gan": ("#e15759", N_("Generative models")),
    "features": ("#e15759", N_("Generative models")),
    "style_transfer": ("#e15759", N_("Generative models")),
}


def as_json() -> dict:
    """The map in both languages: `{"terms": [...], "edges": [...]}` (the CLI's line)."""
    def both(text: str) -> tuple[str, str]:
        with i18n.using("ja"):
            return text, _(text)

    terms = [dict(zip(("id", "en", "ja", "definition_en", "definition_ja", "page", "section"),
                      (t.id, *both(t.name), *both(t.definition), t.page, t.section), strict=True))
             for t in TERMS]
    edges = [dict(zip(("from", "to", "label_en", "label_ja"),
                      (e.source, e.target, *both(e.label)), strict=True)) for e in EDGES]
    return {"terms": terms, "edges": edges}


def other_name(term: Term) -> str:
    """The term's name in the language the student is not reading (English beside Japanese)."""
    if i18n.language() == "en":
        with i18n.using("ja"):
            return _(term.name)
    return term.name


def wrapped(name: str, width: int = 16) -> str:
    """A long term's name on two lines: before its bracketed part ("Recurrent neural network /
    (LSTM, GRU)", "重みの初期化 /（kernel_initializer）"), else at the space nearest the middle."""
    if len(name) <= (width if name.isascii() else 10):
        return name
    for bracket in (" (", "（"):
        head, found, tail = name.partition(bracket)
        if found and len(head) >= 3:
            return f"{head}\n{found.strip()}{tail}"
    spaces = [i for i, char in enumerate(name) if char == " "]
    if not spaces:
        return name
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return f"{name[:cut]}\n{name[cut + 1:]}"


def _nodes() -> pd.DataFrame:
    rows = []
    for t in TERMS:
        colour, region = REGIONS.get(t.page, ("#9c755f", N_("Home")))
        rows.append({"id": t.id, "x": t.at[0], "y": t.at[1], "name": _(t.name),
                     "label": wrapped(_(t.name)), "other": other_name(t),
                     "definition": _(t.definition), "region": _(region), "colour": colour,
                     "understood": False, "fill": "white", "focus": False})
    return pd.DataFrame(rows)


def _edges() -> pd.DataFrame:
    rows = []
    for e in EDGES:
        (x, y), (x2, y2) = BY_ID[e.source].at, BY_ID[e.target].at
        rows.append({"x": x, "y": y, "x2": x2, "y2": y2, "mx": (x + x2) / 2, "my": (y + y2) / 2,
                     "label": _(e.label),
                     "reads": _("{source} {label} {target}", source=_(BY_ID[e.source].name),
                                label=_(e.label), target=_(BY_ID[e.target].name))})
    return pd.DataFrame(rows)


def chart(understood: Collection[str] = (), focus: str | None = None,
          edge_labels: bool = True) -> dict:
    """The map as a Vega-Lite spec: terms understood are filled in, `focus` is ringed; a click
    selects a term (the selection `SELECTION`, field `id`). Altair takes most of a second to
    build it, so the spec is built once per language and only the student's marks change."""
    spec, nodes = _spec(i18n.language(), edge_labels)
    marked = [{**row, "understood": row["id"] in understood, "focus": row["id"] == focus,
               "fill": row["colour"] if row["id"] in understood else "white"}
              for row in spec["datasets"][nodes]]
    return {**spec, "datasets": {**spec["datasets"], nodes: marked}}


@functools.lru_cache(maxsize=2 * len(i18n.LANGUAGES))
def _spec(lang: str, edge_labels: bool) -> tuple[dict, str]:
    """The map's spec in `lang`, nobody's marks on it, and the name of its terms' dataset."""
    with i18n.using(lang):
        across = alt.Scale(domain=list(X_DOMAIN))
        down = alt.Scale(domain=list(Y_DOMAIN), reverse=True)
        x, y = alt.X("x:Q", scale=across, axis=None), alt.Y("y:Q", scale=down, axis=None)
        edges = alt.Chart(_edges())
        layers = [edges.mark_rule(color="#b0b0b0", strokeWidth=1).encode(
            x=x, y=y, x2="x2:Q", y2="y2:Q", tooltip=[alt.Tooltip("reads:N", title=_("Edge"))])]
        if edge_labels:
            layers.append(edges.mark_text(fontSize=9, color="#7f7f7f", dy=-4).encode(
                x=alt.X("mx:Q", scale=across, axis=None),
                y=alt.Y("my:Q", scale=down, axis=None), text="label:N"))
        nodes = alt.Chart(_nodes())
        pick = alt.selection_point(name=SELECTION, fields=["id"], on="click", nearest=True)
        tooltip = [alt.Tooltip("name:N", title=_("Term")), alt.Tooltip("other:N", title=" "),
                   alt.Tooltip("definition:N", title=_("Meaning")),
                   alt.Tooltip("region:N", title=_("Page"))]
        layers += [
            nodes.transform_filter(alt.datum.focus).mark_point(
                size=900, color="#222", strokeWidth=2).encode(x=x, y=y),
            nodes.mark_circle(size=260, strokeWidth=2.5, opacity=1).encode(
                x=x, y=y, fill=alt.Fill("fill:N", scale=None),
                stroke=alt.Stroke("colour:N", scale=None), tooltip=tooltip).add_params(pick),
            nodes.mark_text(fontSize=11, dy=12, baseline="top", lineBreak="\n").encode(
                x=x, y=y, text="label:N", tooltip=tooltip),
        ]
        spec = alt.layer(*layers).properties(height=640).configure_view(stroke=None).to_dict()
    name = next(key for key, rows in spec["datasets"].items() if rows and "focus" in rows[0])
    return spec, name


def glossary(pages: dict[str, str]) -> pd.DataFrame:
    """One row per term: both names, the definition and where it is live. `pages` maps a page's
    URL path to its (translated) title."""
    return _glossary(i18n.language(), tuple(pages.items()))


@functools.lru_cache(maxsize=2 * len(i18n.LANGUAGES))
def _glossary(lang: str, pages: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    titles = dict(pages)
    with i18n.using(lang):
        return pd.DataFrame([{
            _("Term"): _(t.name), " ": other_name(t), _("Meaning"): _(t.definition),
            _("Page"): titles[t.page],
        } for t in TERMS])


def svg(understood: Collection[str]) -> str:
    """The student's map as a standalone SVG (their own diagram): terms understood filled in."""
    scale = PX_PER_UNIT
    width, height = (WIDTH + 12) * scale, (HEIGHT + 10) * scale

    def px(point: tuple[float, float]) -> tuple[float, float]:
        return (point[0] + 5) * scale, (point[1] + 4) * scale

    title = _("The chapter’s map: {n} of {total} terms understood",
              n=len(set(understood) & BY_ID.keys()), total=len(TERMS))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif">',
             '<rect width="100%" height="100%" fill="white"/>',
             f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    for e in EDGES:
        (x, y), (x2, y2) = px(BY_ID[e.source].at), px(BY_ID[e.target].at)
        parts.append(f'<line x1="{x:.0f}" y1="{y:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
                     f'stroke="#b0b0b0"/>')
        parts.append(f'<text x="{(x + x2) / 2:.0f}" y="{(y + y2) / 2 - 4:.0f}" font-size="9" '
                     f'fill="#7f7f7f" text-anchor="middle">{escape(_(e.label))}</text>')
    for t in TERMS:
        x, y = px(t.at)
        colour = REGIONS.get(t.page, ("#9c755f", ""))[0]
        done = t.id in understood
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="9" stroke="{colour}" '
                     f'stroke-width="2.5" fill="{colour if done else "white"}">'
                     f'<title>{escape(_(t.definition))}</title></circle>')
        weight = "bold" if done else "normal"
        parts.append(f'<text x="{x:.0f}" y="{y + 24:.0f}" font-size="11" text-anchor="middle" '
                     f'font-weight="{weight}">{escape(_(t.name))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
