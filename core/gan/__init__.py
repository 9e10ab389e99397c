"""GANs: a DCGAN that draws MNIST digits, its digit critic for evaluation, and a live 2-D GAN."""
