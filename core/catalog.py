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
    path: str  # the page file, relative to the project root
    title: str
    icon: str
    teaches: str  # two lines for the Home page
    resources: tuple[str, ...] = ()  # core.datasets names
    assets: tuple[str, ...] = ()  # shipped model files under assets/
    without_data: str = ""  # what still works when `resources` are missing
    optional: tuple[str, ...] = ()  # extra downloads the page offers; it works without them
    group: str = N_("Models")  # its section in the navigation


PAGES = (
    Page("pages/functional_api.py", "Functional API vs Sequential", ":material/account_tree:",
         "The same network written as a `Sequential` stack and as a functional graph, built "
         "live, drawn and proven identical; then what only the functional API can build."),
    Page("pages/regression.py", "Regression", ":material/show_chart:",
         "A functional network predicts benzene (C6H6) from the UCI Air Quality sensors; tune "
         "the inputs, sweep one, and see why cleaning `-200` markers matters.",
         ("air-quality",), ("air_quality/all.keras", "air_quality/sensors.keras"),
         "tuning and sweeping the shipped models, and the comparison of all models"),
    Page("pages/memory_network.py", "Memory network", ":material/psychology:",
         "End-to-end memory networks answer questions of all 20 bAbI tasks about a story "
         "you type, and show which sentences each hop attended to.",
         ("babi",), (*(f"babi/task{task}.keras" for task in range(1, 21)),
                     "babi/book_task1.keras"),
         "answers to any story you type; “New story” from a built-in story generator"),
    Page("pages/autoencoders.py", "Autoencoders", ":material/compress:",
         "Encoders squeeze digits and clothes into a few numbers and decoders rebuild them: "
         "reconstructions, denoising, a latent map and anomaly scores.",
         ("mnist", "fashion-mnist"),
         tuple(f"autoencoder/{d}_{m}.keras" for d in ("mnist", "fashion")
               for m in ("conv", "dense", "denoise", "latent2d")),
         "your own digit, the latent map's sliders and the anomaly score"),
    Page("pages/sequence_autoencoders.py", "Sequence autoencoders", ":material/calendar_month:",
         "Recurrent autoencoders rebuild a day of air-quality sensors and a bAbI sentence from "
         "a short code: a calendar of unusual days, faults found, words decoded one by one.",
         ("air-quality",), tuple(f"sequence_autoencoder/days_code{c}.keras" for c in (2, 4, 8, 16))
         + ("sequence_autoencoder/sentences.keras",),
         "the calendar, day curves and faults of 2004 (kept in the cards), uploads and the "
         "sentence autoencoder"),
    Page("pages/deep_dream.py", "Deep Dream", ":material/auto_awesome:",
         "Gradient ascent on your photo makes a pretrained CNN amplify what its layers see, "
         "octave by octave.",
         assets=("dream/squeezenet_v1_1.keras",), optional=("inception-v3", "vgg16"),
         group=N_("Generative models")),
    Page("pages/customizing_keras.py", "Customizing Keras", ":material/build:",
         "Lambda layers, `keras.ops` backend code, a custom Local Response Normalization layer "
         "that saves safely, and a kernel_initializer experiment.",
         ("mnist",), without_data="sections 1–3, and the initializer lab on synthetic digits"),
    Page("pages/backends.py", N_("Backends"), ":material/swap_horiz:",
         N_("The same Keras code on TensorFlow, JAX, NumPy and PyTorch, each in its own process: "
            "outputs compared, times side by side, and the one step each backend writes its own "
            "way, the gradient.")),
)


def model_status(page: Page) -> list[tuple[str, bool]]:
    return [(name, (ASSETS / name).exists()) for name in page.assets]


def data_status(page: Page, optional: bool = False) -> list[tuple[str, datasets.Availability]]:
    """Where each dataset the page needs (or, `optional`, offers) would come from."""
    return [(name, datasets.availability(name))
            for name in (page.optional if optional else page.resources)]
