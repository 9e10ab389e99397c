"""What each page teaches, and which shipped models and datasets it relies on."""

from __future__ import annotations

from dataclasses import dataclass

from core import datasets
from core.cards import ASSETS
from core.i18n import N_

# The largest file any page accepts, in MB (2**20 bytes, as Streamlit counts): the file uploaders
# (.streamlit/config.toml's maxUploadSize, checked equal by a test), images and CSV files alike.
UPLOAD_LIMIT_MB = 20
UPLOAD_LIMIT_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024


@dataclass(frozen=True)
class Page:
    """A page of the lab; its English strings are marked N_() and shown through _()."""

    path: str  # the page file, relative to the project root
    title: str
    icon: str
    teaches: str  # two lines for the Home page
    resources: tuple[str, ...] = ()  # core.datasets names
    assets: tuple[str, ...] = ()  # shipped model files under assets/
    without_data: str = ""  # what still works when `resources` are missing
    optional: tuple[str, ...] = ()  # extra downloads the page offers; it works without them
    group: str = N_("Models")  # its section in the navigation

    @property
    def url_path(self) -> str:
        """The page's address in the app (Streamlit derives it from the file's name)."""
        return self.path.rsplit("/", 1)[-1].removesuffix(".py")


PAGES = (
    Page("pages/functional_api.py", N_("Functional API vs Sequential"), ":material/account_tree:",
         N_("The same network written as a `Sequential` stack and as a functional graph, built "
            "live, drawn and proven identical; then what only the functional API can build.")),
    Page("pages/regression.py", N_("Regression"), ":material/show_chart:",
         N_("A functional network predicts benzene (C6H6) from the UCI Air Quality sensors; "
            "tune the inputs, sweep one, and see why cleaning `-200` markers matters."),
         ("air-quality",), ("air_quality/all.keras", "air_quality/sensors.keras"),
         N_("tuning and sweeping the shipped models, and the comparison of all models")),
    Page("pages/memory_network.py", N_("Memory network"), ":material/psychology:",
         N_("End-to-end memory networks answer questions of all 20 bAbI tasks about a story "
            "you type, and show which sentences each hop attended to."),
         ("babi",), (*(f"babi/task{task}.keras" for task in range(1, 21)),
                     "babi/book_task1.keras"),
         N_("answers to any story you type; “New story” from the few bAbI questions per task "
            "shipped with the app")),
    Page("pages/autoencoders.py", N_("Autoencoders"), ":material/compress:",
         N_("Encoders squeeze digits and clothes into a few numbers and decoders rebuild them: "
            "reconstructions, denoising, a latent map and anomaly scores."),
         ("mnist", "fashion-mnist"),
         tuple(f"autoencoder/{d}_{m}.keras" for d in ("mnist", "fashion")
               for m in ("conv", "dense", "denoise", "latent2d")),
         N_("your own digit, the latent map's sliders and the anomaly score")),
    Page("pages/sequence_autoencoders.py", N_("Sequence autoencoders"), ":material/calendar_month:",
         N_("Recurrent autoencoders rebuild a bAbI sentence and a day of air-quality sensors "
            "from a short code: the book's example, words decoded one by one, a calendar of "
            "unusual days, faults found."),
         ("air-quality",), tuple(f"sequence_autoencoder/days_code{c}.keras" for c in (2, 4, 8, 16))
         + ("sequence_autoencoder/sentences.keras",),
         N_("the sentence autoencoder, the calendar, the unusual days and the fault figures "
            "(kept in the cards), and uploads")),
    Page("pages/customizing_keras.py", N_("Customizing Keras"), ":material/build:",
         N_("Lambda layers, `keras.ops` backend code, the book's Local Response Normalization "
            "as a custom layer that saves safely, and a kernel_initializer experiment set "
            "beside what theory predicts."),
         ("mnist",),
         without_data=N_("sections 1–3, and the initializer lab on synthetic digits")),
    Page("pages/backends.py", N_("Backends"), ":material/swap_horiz:",
         N_("The same Keras code on TensorFlow, JAX, NumPy and PyTorch, each in its own process: "
            "outputs compared, times side by side, and the one step each backend writes its own "
            "way, the gradient.")),
    Page("pages/deep_dream.py", N_("Deep Dream"), ":material/auto_awesome:",
         N_("Gradient ascent on your photo makes a pretrained CNN amplify what its layers see, "
            "octave by octave."),
         assets=("dream/squeezenet_v1_1.keras",), optional=("inception-v3", "vgg16"),
         group=N_("Generative models")),
    Page("pages/features.py", N_("Features"), ":material/grid_view:",
         N_("What a SqueezeNet channel responds to: the image that excites it most, grown from "
            "noise, beside where it fires on a photo."),
         assets=("dream/squeezenet_v1_1.keras",), group=N_("Generative models")),
    Page("pages/style_transfer.py", N_("Style transfer"), ":material/palette:",
         N_("Gradient descent on your photo's pixels makes a CNN find the photo's content and "
            "another picture's textures in it: losses step by step, Gram matrices, and the "
            "book's recipe beside the lab's."),
         assets=("dream/squeezenet_v1_1.keras",), optional=("vgg19",),
         group=N_("Generative models")),
    Page("pages/gan.py", N_("GAN"), ":material/draw:",
         N_("A DCGAN draws MNIST digits from random noise: its training story, a classifier's "
            "verdict, its autoencoder cousin, and a 2-D GAN you train live."),
         ("mnist",), ("gan/dcgan_generator.keras", "gan/cgan_generator.keras",
                      "gan/digit_classifier.keras"),
         N_("the generated digits, the training story and the live 2-D GAN; only the check "
            "against the nearest training digits needs the data"), group=N_("Generative models")),
)


def model_status(page: Page) -> list[tuple[str, bool]]:
    return [(name, (ASSETS / name).exists()) for name in page.assets]


def data_status(page: Page, optional: bool = False) -> list[tuple[str, datasets.Availability]]:
    """Where each dataset the page needs (or, `optional`, offers) would come from."""
    return [(name, datasets.availability(name))
            for name in (page.optional if optional else page.resources)]
