"""Deep Dream: gradient ascent on a photo so that a pretrained CNN amplifies what it sees."""
