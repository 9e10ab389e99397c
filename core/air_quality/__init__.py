"""Regression: predict benzene (C6H6) from the UCI Air Quality sensors."""
