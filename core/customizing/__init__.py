"""Going past the built-in layers: Lambda layers, `keras.ops`, a custom layer, initializers."""
