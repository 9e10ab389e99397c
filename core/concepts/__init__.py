"""The chapter's map: its terms, how they relate, and where each one is live in the lab."""
