"""The chapter's terms and the labelled edges between them: the one source of the Home page's
map and of `python -m core concepts`.

Names, definitions and edge labels are English, marked `N_()`; their Japanese lives in the
catalogue like every other message (`python -m core concepts` prints both). Where a term is
live is a place in `PLACES`: a page's URL path ("" for Home) and the `anchor=` of one of its
headers. A page that renames a header's anchor changes one line here, and
tests/test_concepts.py says which.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.i18n import N_

# place -> (page URL path, header anchor on that page)
PLACES: dict[str, tuple[str, str]] = {
    "two-ways": ("functional_api", "one-network-two-ways"),
    "build-your-own": ("functional_api", "build-your-own"),
    "beyond-sequential": ("functional_api", "beyond-sequential"),
    "tune": ("regression", "tune-the-inputs"),
    "how-good-is-it": ("regression", "how-good-is-it"),
    "train-regression": ("regression", "train-your-own"),
    "reconstructions": ("autoencoders", "reconstructions"),
    "denoising": ("autoencoders", "denoising"),
    "latent-map": ("autoencoders", "latent-map"),
    "anomaly": ("autoencoders", "anomaly-score"),
    "books-example": ("sequence_autoencoders", "the-books-example"),
    "every-day": ("sequence_autoencoders", "every-day"),
    "pick-task": ("memory_network", "pick-a-task"),
    "story": ("memory_network", "story-and-question"),
    "hops": ("memory_network", "attention-hops"),
    "book-network": ("memory_network", "book-vs-memory-network"),
    "lambda": ("customizing_keras", "lambda-layer"),
    "keras-ops": ("customizing_keras", "keras-ops"),
    "custom-layer": ("customizing_keras", "custom-layer"),
    "initializers": ("customizing_keras", "kernel-initializer-lab"),
    "dream": ("deep_dream", "the-dream"),
    "amplify": ("deep_dream", "what-to-amplify"),
    "style": ("style_transfer", "result"),
    "gram": ("style_transfer", "gram"),
    "features": ("features", "feature-grid"),
    "gan-digits": ("gan", "digits-from-noise"),
    "gan-live": ("gan", "live-gan"),
    "backends": ("backends", "same-code-every-backend"),
}


@dataclass(frozen=True)
class Term:
    id: str
    name: str  # English, N_(); its Japanese comes from the catalogue
    definition: str  # one line, English, N_()
    place: str  # a key of PLACES
    at: tuple[float, float]  # where it sits on the map: x across (-2–104), y down (0–66)

    @property
    def page(self) -> str:
        return PLACES[self.place][0]

    @property
    def section(self) -> str:
        return PLACES[self.place][1]


@dataclass(frozen=True)
class Edge:
    source: str  # term ids: read "source <label> target"
    label: str  # a RELATIONS value
    target: str


TERMS: tuple[Term, ...] = (
    # --- Functional API (top left) ---------------------------------------------------------
    Term("sequential", N_("Sequential"),
         N_("Keras' model for one straight pipeline: each layer feeds the next, nothing "
            "branches."), "two-ways", (3, 4)),
    Term("functional-api", N_("Functional API"),
         N_("Keras' way to wire layers into any graph: call layers on tensors, then wrap the "
            "inputs and outputs in a Model."), "two-ways", (12, 15)),
    Term("layer-as-function", N_("A layer as a function"),
         N_("A layer is called on a tensor like a function, g(x); a network is functions "
            "composed, y = s_K(f(s_2(g(x)))), which is why the book calls a Dense layer g."),
         "two-ways", (30, 4)),
    Term("model-input", N_("Model and Input"),
         N_("Input(shape=…) makes the symbolic input; Model(inputs, outputs) turns the graph "
            "between them into a model you can train."), "build-your-own", (26, 15)),
    Term("multi-io", N_("Several inputs and outputs"),
         N_("A functional model may take several inputs and give several outputs, each with "
            "its own loss; a Sequential model cannot."), "beyond-sequential", (16, 4)),
    # --- Regression (left) -----------------------------------------------------------------
    Term("regression", N_("Regression"),
         N_("Predicting a continuous number (here benzene in µg/m³) instead of a class: the "
            "last layer has one output and no softmax."), "tune", (4, 27)),
    Term("mean-fill", N_("Filling missing values with the mean"),
         N_("Replacing missing readings (the dataset's -200 markers) by their column's mean, "
            "so that the rows can still be used."), "how-good-is-it", (2, 38)),
    Term("normalization", N_("Normalization"),
         N_("Rescaling every input to a common range (zero mean, unit variance) so that no "
            "sensor dominates training."), "train-regression", (15, 31)),
    Term("validation", N_("Validation data"),
         N_("Rows held back from training, to measure honestly how the model does on data it "
            "never learned from."), "how-good-is-it", (15, 42)),
    # --- Composite networks, memory network (bottom left) ----------------------------------
    Term("composite", N_("Composite network"),
         N_("One model combining several kinds of parts (embeddings, dense and recurrent "
            "layers) and several inputs."), "book-network", (28, 48)),
    Term("memory-network", N_("Memory network"),
         N_("A composite network that keeps a story's sentences as memories and looks up the "
            "ones that matter for a question."), "story", (12, 56)),
    Term("babi", N_("bAbI"),
         N_("Facebook's 20 small question-answering tasks: short English stories, a question "
            "and a one-word answer."), "pick-task", (0, 62)),
    Term("question-answering", N_("Question answering"),
         N_("Reading a text and answering a question about it; here the answer is one word "
            "of the story's vocabulary."), "story", (12, 64)),
    Term("embedding", N_("Embedding"),
         N_("A layer that turns each word's index into a vector of numbers learned in "
            "training."), "book-network", (26, 60)),
    Term("attention", N_("Attention"),
         N_("Weights over the memories, summing to 1, that say how much each sentence "
            "matters for the question."), "hops", (36, 54)),
    Term("hop", N_("Hop"),
         N_("One round of attention over the memories; a second hop can follow a fact that "
            "the first one found."), "hops", (36, 63)),
    # --- Autoencoders (middle) -------------------------------------------------------------
    Term("autoencoder", N_("Autoencoder"),
         N_("A network trained to rebuild its own input through a narrow code. 'Auto' means "
            "self: the input is its own target, so no labels are needed."),
         "reconstructions", (48, 24)),
    Term("encoder", N_("Encoder"),
         N_("The half that squeezes an input into its code; often the part you keep (codes, "
            "the latent map, anomaly scores)."), "latent-map", (42, 32)),
    Term("decoder", N_("Decoder"),
         N_("The half that rebuilds an input from a code; alone, it draws a new image from any "
            "point of the latent space."), "latent-map", (54, 32)),
    Term("code", N_("Code (latent representation)"),
         N_("The few numbers in the middle of an autoencoder: what the encoder keeps of an "
            "input."), "latent-map", (48, 39)),
    Term("latent-space", N_("Latent space"),
         N_("Every possible code: with two numbers per code it is a map on which similar "
            "inputs lie close together."), "latent-map", (48, 51)),
    Term("reconstruction", N_("Reconstruction"),
         N_("The decoder's copy of the input; training makes its difference from the input "
            "small."), "reconstructions", (64, 32)),
    Term("denoising", N_("Denoising"),
         N_("Training an autoencoder on noisy inputs with clean targets, so that it learns to "
            "remove noise."), "denoising", (60, 22)),
    Term("anomaly", N_("Anomaly score"),
         N_("How badly an input is rebuilt: what resembles the training data comes back well, "
            "so a large error flags something unusual."), "anomaly", (64, 42)),
    Term("rnn", N_("Recurrent neural network (LSTM, GRU)"),
         N_("A network that reads a sequence step by step, carrying a memory of what came "
            "before; LSTM and GRU are its gated cells."), "every-day", (34, 40)),
    Term("recurrent-autoencoder", N_("Recurrent autoencoder"),
         N_("An autoencoder whose encoder and decoder are LSTM or GRU layers: a whole "
            "sequence (a day of sensor readings, a sentence) becomes one code."),
         "books-example", (34, 26)),
    # --- Customizing Keras, backends (top right) -------------------------------------------
    Term("backend", N_("Backend"),
         N_("The library that does Keras' arithmetic: TensorFlow, JAX, PyTorch or NumPy. One "
            "per process, chosen with KERAS_BACKEND; the backend API is how the same code "
            "runs on each of them."), "backends", (72, 4)),
    Term("keras-ops", N_("keras.ops"),
         N_("Keras 3's backend-neutral maths (keras.ops.sqrt, keras.ops.sum, …), the "
            "successor of Keras 2's backend functions K.*."), "keras-ops", (56, 4)),
    Term("lambda-layer", N_("Lambda layer"),
         N_("Wraps a function of tensors as a layer, like the book's Euclidean distance; "
            "quick to write, but a saved model with one does not load in safe mode."),
         "lambda", (42, 12)),
    Term("custom-layer", N_("Custom layer"),
         N_("A subclass of keras.layers.Layer with its own build, call and get_config, "
            "registered so that a saved model loads safely."), "custom-layer", (56, 12)),
    Term("lrn", N_("Local Response Normalization (LRN)"),
         N_("Each activation divided by the activity of its neighbouring channels; the "
            "book's example of a custom layer."), "custom-layer", (68, 16)),
    Term("kernel-initializer", N_("kernel_initializer"),
         N_("How a layer's weights start (Glorot, He, random normal…). No theory proves one "
            "best; the usual choices keep signals at a steady scale through the layers."),
         "initializers", (42, 4)),
    # --- Generative models (bottom right) --------------------------------------------------
    Term("generative-model", N_("Generative model"),
         N_("A model that makes new data like what it has seen. A GAN is one; the chapter's "
            "examples also make images from a trained CNN: Deep Dream, style transfer."),
         "gan-digits", (84, 26)),
    Term("gan", N_("GAN"),
         N_("Generative adversarial network: a generator makes fakes, a discriminator tells "
            "them from real data, each trains against the other. Yes, a generative model."),
         "gan-digits", (76, 38)),
    Term("generator", N_("Generator"),
         N_("The GAN's network that turns random numbers into an image; like a decoder, but "
            "it learns from the discriminator's verdicts, not by rebuilding an input."),
         "gan-digits", (68, 50)),
    Term("discriminator", N_("Discriminator"),
         N_("The GAN's network that judges an image real or fake; its verdicts are the "
            "generator's training signal."), "gan-live", (80, 50)),
    Term("mode-collapse", N_("Mode collapse"),
         N_("A GAN failure: the generator makes only a few kinds of output and leaves the "
            "rest of the data uncovered."), "gan-live", (68, 29)),
    Term("deep-dream", N_("Deep Dream"),
         N_("A photo changed by gradient ascent until chosen layers of a trained CNN respond "
            "strongly: the network's features appear in it."), "dream", (94, 34)),
    Term("gradient-ascent", N_("Gradient ascent"),
         N_("Changing the input, not the weights, along the gradient to make a quantity "
            "larger, here a layer's activation."), "dream", (97, 16)),
    Term("pretrained-cnn", N_("Pretrained CNN"),
         N_("A convolutional network already trained on ImageNet (SqueezeNet here) whose "
            "learned features are reused."), "amplify", (92, 46)),
    Term("feature", N_("Feature"),
         N_("What a channel of a trained network responds to: edges and colours in early "
            "layers, textures and parts of objects deeper in."), "features", (102, 42)),
    Term("feature-map", N_("Feature map"),
         N_("One channel's output over the image: where that channel's feature is found."),
         "features", (102, 56)),
    Term("style-transfer", N_("Style transfer"),
         N_("Repainting a photo in another image's style: keep its deep features (content), "
            "match the style image's Gram matrices."), "style", (88, 62)),
    Term("gram-matrix", N_("Gram matrix"),
         N_("How strongly a layer's channels fire together over the whole image: texture "
            "(style) without positions."), "gram", (98, 63)),
)

# Edge labels: read "source <label> target" ("GAN is a generative model").
RELATIONS = {
    "is a": N_("is a"),
    "part of": N_("part of"),
    "uses": N_("uses"),
    "special case of": N_("special case of"),
    "needs": N_("needs"),
    "built with": N_("built with"),
    "prepares data for": N_("prepares data for"),
    "evaluates": N_("evaluates"),
    "makes": N_("makes"),
    "rebuilds from": N_("rebuilds from"),
    "point of": N_("point of"),
    "trained on": N_("trained on"),
    "solves": N_("solves"),
    "example of": N_("example of"),
    "round of": N_("round of"),
    "runs on": N_("runs on"),
    "written with": N_("written with"),
    "starts": N_("starts"),
    "trains": N_("trains"),
    "like": N_("like"),
    "failure of": N_("failure of"),
    "amplifies": N_("amplifies"),
    "shows": N_("shows"),
    "computes": N_("computes"),
    "summarizes": N_("summarizes"),
    "computed by": N_("computed by"),
}

EDGES: tuple[Edge, ...] = tuple(Edge(s, RELATIONS[r], t) for s, r, t in (
    ("sequential", "special case of", "functional-api"),
    ("functional-api", "uses", "layer-as-function"),
    ("functional-api", "uses", "model-input"),
    ("multi-io", "needs", "functional-api"),
    ("regression", "built with", "functional-api"),
    ("mean-fill", "prepares data for", "regression"),
    ("normalization", "prepares data for", "regression"),
    ("validation", "evaluates", "regression"),
    ("composite", "built with", "functional-api"),
    ("memory-network", "is a", "composite"),
    ("memory-network", "trained on", "babi"),
    ("memory-network", "solves", "question-answering"),
    ("babi", "example of", "question-answering"),
    ("memory-network", "uses", "embedding"),
    ("memory-network", "uses", "attention"),
    ("hop", "round of", "attention"),
    ("composite", "uses", "rnn"),
    ("autoencoder", "built with", "functional-api"),
    ("encoder", "part of", "autoencoder"),
    ("decoder", "part of", "autoencoder"),
    ("encoder", "makes", "code"),
    ("decoder", "rebuilds from", "code"),
    ("decoder", "makes", "reconstruction"),
    ("code", "point of", "latent-space"),
    ("denoising", "example of", "autoencoder"),
    ("anomaly", "uses", "reconstruction"),
    ("recurrent-autoencoder", "is a", "autoencoder"),
    ("recurrent-autoencoder", "uses", "rnn"),
    ("keras-ops", "runs on", "backend"),
    ("lambda-layer", "written with", "keras-ops"),
    ("custom-layer", "written with", "keras-ops"),
    ("lambda-layer", "example of", "layer-as-function"),
    ("lrn", "example of", "custom-layer"),
    ("kernel-initializer", "starts", "layer-as-function"),
    ("gan", "is a", "generative-model"),
    ("generator", "part of", "gan"),
    ("discriminator", "part of", "gan"),
    ("discriminator", "trains", "generator"),
    ("generator", "like", "decoder"),
    ("mode-collapse", "failure of", "gan"),
    ("deep-dream", "example of", "generative-model"),
    ("style-transfer", "example of", "generative-model"),
    ("deep-dream", "uses", "gradient-ascent"),
    ("deep-dream", "uses", "pretrained-cnn"),
    ("deep-dream", "amplifies", "feature"),
    ("pretrained-cnn", "computes", "feature-map"),
    ("feature-map", "shows", "feature"),
    ("style-transfer", "uses", "gram-matrix"),
    ("gram-matrix", "summarizes", "feature-map"),
    ("style-transfer", "uses", "pretrained-cnn"),
    ("gradient-ascent", "computed by", "backend"),
))

BY_ID: dict[str, Term] = {term.id: term for term in TERMS}


def terms_of(page: str) -> list[Term]:
    """The terms live on the page at URL path `page`, in the map's order."""
    return [term for term in TERMS if term.page == page]
