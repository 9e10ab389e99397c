"""The chapter's first lesson: one network written as a `Sequential` stack and as a functional
graph, proven identical, and what only the functional API can build."""
