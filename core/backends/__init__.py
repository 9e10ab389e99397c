"""The same Keras code on TensorFlow, JAX, NumPy and PyTorch, each in its own worker process."""
