"""Show user-supplied text as text: Markdown, HTML, LaTeX and links in it are not rendered."""

import re

# The characters that can start Markdown, HTML, LaTeX ($) or Streamlit (:icon:, :red[…])
# syntax; a backslash before any of them makes it a plain character.
_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&^=])")


def as_text(text: object) -> str:
    """`text` escaped for st.markdown, st.error, st.warning…: shown exactly as written."""
    return _SYNTAX.sub(r"\\\1", str(text)).replace("\n", "  \n")
