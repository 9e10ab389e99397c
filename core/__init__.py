"""Beyond Sequential's engine: models, data, training and evaluation. Never imports streamlit."""
