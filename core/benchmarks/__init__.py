"""`python -m core bench classroom | browser | startup`: benchmarks that start the app, drive it
over Streamlit's websocket or in Chromium, and time its start-up. The only part of `core` that
imports Streamlit (its protocol messages), so the lab itself never does.
"""
