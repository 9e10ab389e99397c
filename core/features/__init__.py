"""What a feature looks like: images that most excite SqueezeNet's channels, and where those
channels fire on a photo."""
