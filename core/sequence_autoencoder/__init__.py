"""Recurrent autoencoders: unusual days in the air-quality sensors, and bAbI sentences."""
