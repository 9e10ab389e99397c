"""Autoencoders on MNIST digits and Fashion-MNIST: data, models, training, evaluation."""
