"""Neural style transfer: gradient descent on a photo's pixels, towards another picture's style."""
