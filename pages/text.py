"""Show user-supplied text as text: Markdown, HTML, LaTeX and links in it are not rendered."""

import re

# The characters that can start Markdown, HTML, LaTeX ($) or Streamlit (:icon:, :red[…])
# syntax; a backslash before any of them makes it a plain character.
_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&^=])")
# Streamlit's Markdown (GitHub's flavour) also turns bare web and e-mail addresses into links,
# and it finds them in the text after escapes are resolved, so escaping cannot stop it. An
# invisible WORD JOINER inside "://", "www." and after "@" breaks each pattern; the reader sees
# the same characters.
_ADDRESS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def as_text(text: object) -> str:
    """`text` escaped for st.markdown, st.error, st.warning…: shown exactly as written."""
    plain = _ADDRESS.sub(WORD_JOINER, str(text))
    return _SYNTAX.sub(r"\\\1", plain).replace("\n", "  \n")
