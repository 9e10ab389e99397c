"""Beyond Sequential's engine: models, data, training and evaluation. Never imports Streamlit
(only `core.benchmarks`, which drives the app from outside, does)."""

from core import keras_import

keras_import.install()  # before any module of core can import Keras: see core/keras_import.py
