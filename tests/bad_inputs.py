"""The bad-input corpus: broken and odd images, malformed CSV files, strange stories and
questions, bad vectors, bAbI and IDX files, and bad command-line arguments.

Everything is generated here, in memory (no stored binaries). Each case names its kind and
what the user must be told: `expect` is a phrase the message must contain (case-insensitive),
or None for an odd input that must simply work. `python -m tests.bad_inputs` prints a census.
"""

from __future__ import annotations

import gzip
import io
import struct
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from core.catalog import UPLOAD_LIMIT_BYTES

FIXTURES = Path(__file__).parent / "fixtures"
LINK = "![x](http://example.invalid/x.png) [click](http://example.invalid)"


@dataclass(frozen=True)
class Case:
    kind: str  # what sort of bad input, for the census
    name: str
    data: object  # bytes, text, or a (story, question) pair
    expect: str | None  # a phrase the message must contain; None: must work

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


# --- Images ------------------------------------------------------------------------------------

def _encode(img: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _digit(mode: str = "L") -> Image.Image:
    """A white stroke on black, 64×64: something every page can use."""
    arr = np.zeros((64, 64), np.uint8)
    arr[12:52, 28:36] = 255
    return Image.fromarray(arr, "L").convert(mode)


def _float_tiff(values: np.ndarray) -> bytes:
    return _encode(Image.fromarray(values.astype(np.float32), "F"), "TIFF")


def _stroke(low: float, high: float, dtype) -> np.ndarray:
    arr = np.full((64, 64), low, dtype=np.float64)
    arr[12:52, 28:36] = high
    return arr.astype(dtype)


def _png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header promises a huge image, with almost no data behind it."""
    import zlib

    def chunk(tag: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + tag + body
                + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def _gif_animation() -> bytes:
    frames = [_digit("P"), Image.new("P", (64, 64))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def _rotated_jpeg() -> bytes:
    img = _digit("RGB").resize((64, 32))
    exif = img.getexif()
    exif[0x0112] = 6
    return _encode(img, "JPEG", exif=exif)


def image_cases() -> list[Case]:
    png = _encode(_digit())
    float01 = _stroke(0.0, 1.0, np.float32)
    with_nan = float01.copy()
    with_nan[0, 0], with_nan[0, 1] = np.nan, np.inf
    transparent = _digit("RGBA")
    transparent.putalpha(Image.fromarray(np.asarray(_digit()), "L"))
    bad = [
        ("empty file", b"", "empty"),
        ("text file", b"hello, this is not a picture\n" * 20, "could not be read as an image"),
        ("html named .png", b"<html><body><img src=x onerror=alert(1)></body></html>",
         "could not be read as an image"),
        ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>',
         "could not be read as an image"),
        ("truncated png", png[: len(png) // 2], "could not be read"),
        ("truncated jpeg", _encode(_digit("RGB"), "JPEG")[:200], "could not be read"),
        ("png magic only", b"\x89PNG\r\n\x1a\n", "could not be read"),
        ("decompression bomb", _encode(Image.new("L", (8000, 8000))), "megapixels"),
        ("header claims 100000x100000", _png_header_claiming(100_000, 100_000), "megapixels"),
        ("over the upload limit", b"\x89PNG\r\n\x1a\n" + b"\x00" * UPLOAD_LIMIT_BYTES, "limit is"),
    ]
    odd = [  # unusual but valid: must work
        ("8000x50 strip", _encode(_strip(8000, 50))),
        ("50x8000 strip", _encode(_strip(8000, 50).transpose(Image.Transpose.ROTATE_90))),
        ("1x1 pixel", _encode(Image.new("L", (1, 1), 255))),
        ("16-bit ramp tiff", _encode(Image.fromarray(
            _stroke(0, 65535, np.uint16)), "TIFF")),
        ("12-bit data in 16-bit tiff", _encode(Image.fromarray(
            _stroke(0, 4095, np.uint16)), "TIFF")),
        ("32-bit float tiff 0-1", _float_tiff(float01)),
        ("32-bit float tiff 0-1000", _float_tiff(_stroke(0, 1000, np.float32))),
        ("32-bit float tiff negative range", _float_tiff(_stroke(-5, -1, np.float32))),
        ("32-bit float tiff with nan and inf", _float_tiff(with_nan)),
        ("32-bit int tiff", _encode(Image.fromarray(_stroke(0, 100_000, np.int32), "I"),
                                    "TIFF")),
        ("cmyk jpeg", _encode(_digit("CMYK"), "JPEG")),
        ("1-bit png", _encode(_digit("1"))),
        ("palette png", _encode(_digit("P"))),
        ("transparent png", _encode(transparent)),
        ("gray+alpha png", _encode(_digit("LA"))),
        ("animated gif", _gif_animation()),
        ("exif-rotated jpeg", _rotated_jpeg()),
        ("bmp", _encode(_digit("RGB"), "BMP")),
        ("webp", _encode(_digit("RGB"), "WEBP")),
        ("ycbcr jpeg", _encode(_digit("RGB"), "JPEG", subsampling=0)),
    ]
    return ([Case("image", n, d, e) for n, d, e in bad]
            + [Case("odd image", n, d, None) for n, d in odd])


def _strip(width: int, height: int) -> Image.Image:
    """A long thin picture with a bright bar in the middle."""
    arr = np.zeros((height, width), np.uint8)
    arr[:, width // 2 - height // 2: width // 2 + height // 2] = 255
    return Image.fromarray(arr, "L")


# --- UCI Air Quality CSV files -----------------------------------------------------------------

HEADER = ("Date;Time;CO(GT);PT08.S1(CO);NMHC(GT);C6H6(GT);PT08.S2(NMHC);NOx(GT);PT08.S3(NOx);"
          "NO2(GT);PT08.S4(NO2);PT08.S5(O3);T;RH;AH;;")


def _row(hour: int, benzene: str = "11,9", s1: str = "1360", day: str = "10/03/2004") -> str:
    return (f"{day};{hour:02d}.00.00;2,6;{s1};150;{benzene};1046;166;1056;113;1692;1268;"
            f"13,6;48,9;0,7578;;")


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def csv_cases() -> list[Case]:
    rows = [_row(h, benzene=f"{5 + h},{h}") for h in range(6)]
    bad = [
        ("empty file", b"", "empty"),
        ("binary file", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe" * 10, "not a text file"),
        ("latin-1 text", _csv(*rows).replace(b"2,6", "2,6°".encode("latin-1")),
         "not a text file"),
        ("header only", _csv(), "no data rows"),
        ("comma separated", _csv(*rows).replace(b";", b","), "separates values with"),
        ("missing column", _csv(*rows, header=HEADER.replace(";AH", "")), "missing column"),
        ("bad date", _csv(_row(1, day="2004-03-10")), "dd/mm/yyyy"),
        ("letters in a number", _csv(_row(1, s1="abc")), "not numbers"),
        ("nan text in a number", _csv(_row(1, s1="nan")), "not numbers"),
        ("inf reading", _csv(*rows, _row(7, s1="inf")), "not plausible"),
        ("-inf reading", _csv(*rows, _row(7, s1="-Infinity")), "not plausible"),
        ("1e308 reading", _csv(*rows, _row(7, s1="1e308")), "not plausible"),
        ("1e400 reading", _csv(*rows, _row(7, s1="1e400")), "not plausible"),
        ("all missing", (FIXTURES / "air_quality" / "all_missing.csv").read_bytes(),
         "every value in the file is missing"),
        ("no benzene reading", _csv(*[_row(h, benzene="-200") for h in range(4)]),
         "no row has a C6H6(GT) reading"),
        ("markdown in a cell", _csv(_row(1, s1=LINK.replace(";", ""))), "not numbers"),
        ("markdown in the header", f"{LINK}\r\n1\r\n".encode(), "only one column"),
        ("html in a cell", _csv(_row(1, s1="<img src=x onerror=alert(1)>")), "not numbers"),
    ]
    not_computed = [  # scored, but a metric cannot be: null and a message, never NaN
        ("one row", _csv(rows[0]), "R² cannot be computed"),
        ("constant benzene", _csv(*[_row(h, benzene="3,0") for h in range(5)]),
         "R² cannot be computed"),
    ]
    works = [
        ("valid small file", (FIXTURES / "air_quality" / "small.csv").read_bytes()),
        ("byte-order mark", b"\xef\xbb\xbf" + _csv(*rows)),
        ("unix line ends, decimal points", _csv(*rows).replace(b"\r\n", b"\n")
         .replace(b"13,6", b"13.6")),
        ("blank cells", _csv(*[r.replace(";150;", ";;") for r in rows])),
    ]
    return ([Case("csv", n, d, e) for n, d, e in bad]
            + [Case("csv metric", n, d, e) for n, d, e in not_computed]
            + [Case("odd csv", n, d, None) for n, d in works])


# --- Stories and questions for the memory network ------------------------------------------------

def story_cases() -> list[Case]:
    chapter = "john travelled to the hallway\nmary journeyed to the bathroom"
    bad = [  # (story, question), phrase
        ("empty story", ("", "where is john"), "story is empty"),
        ("blank story", ("  \n\n \t", "where is john"), "story is empty"),
        ("symbols-only story", ("!!! ???\n🙂🙂", "where is john"), "no words, only symbols"),
        ("empty question", (chapter, ""), "question is empty"),
        ("symbols-only question", (chapter, "?!"), "question is empty"),
        ("emoji question", (chapter, "🙂❓"), "question is empty"),
        ("japanese question", (chapter, "ジョンはどこ？"), "ジョンはどこ"),
        ("question with no known word", (chapter, "wo ist hans"), "none of the words"),
        ("japanese statement", ("ジョンは台所に行った\n" + chapter, "where is john"),
         "no word the model knows"),
        ("emoji statement", ("🙂🙂🙂\n" + chapter, "where is john"), "🙂🙂🙂"),
        ("accented names", ("Zoë went to the café\n" + chapter, "where is john"), "Zoë"),
        ("accented unknown named as typed", ("Zoë went to the café\n" + chapter,
                                             "where is john"), "café"),
        ("markdown in a story", (f"{LINK}\n" + chapter, "where is john"), "example"),
        ("html in a question", (chapter, "where is <b>john</b> <script>x</script>"),
         "script"),
        ("latex in a story", ("$x^2$ went to $$\\int$$\n" + chapter, "where is john"), "int"),
        ("streamlit colour syntax", (":red[john] went to :material/home:\n" + chapter,
                                     "where is john"), "red"),
        ("arabic statement", ("ذهب جون إلى المطبخ\n" + chapter, "where is john"),
         "no word the model knows"),
        ("control characters", ("john\x00 went\x07 to the\x1b kitchen\n" + chapter,
                                 "where is john"), None),
    ]
    works = [
        ("line numbers and punctuation", ("1 John went to the kitchen.\n2 Mary went home!",
                                          "Where is John?")),
        ("full-width letters", ("Ｊｏｈｎ went to the kitchen", "where is john")),
        ("one word a line", ("john\nkitchen", "where is john")),
        ("story longer than the memory", ("mary went to the office\n" * 60, "where is mary")),
        ("very long line", (" ".join(["john went to the kitchen"] * 400), "where is john")),
        ("zero-width spaces", ("john\u200b went to the kitchen", "where is john")),
        ("windows line ends", ("john went to the kitchen\r\nmary went home\r\n",
                               "where is john")),
    ]
    return ([Case("story", n, d, e) for n, d, e in bad]
            + [Case("odd story", n, d, None) for n, d in works])


# --- Vectors for the Lambda distance --------------------------------------------------------------

def vector_cases() -> list[Case]:
    bad = [  # "x|y", or x alone (then y is the same)
        ("empty", "", "at least one number"),
        ("a word", "1, apple", "'apple' is not a number"),
        ("nan", "1, nan", "finite numbers"),
        ("inf", "1, inf", "finite numbers"),
        ("overflow", "1, 1e400", "finite numbers"),
        ("too large", "1, 1e30", "within ±1,000,000"),
        ("markdown", f"1, {LINK}", "is not a number"),
        ("too long", ", ".join(["1"] * 65), "64 numbers"),
        ("different lengths", "1, 2|1, 2, 3", "same length"),
    ]
    works = [
        ("negative and exponent", "-1.5e2, 3"),
        ("spaces only between", "1 2"),
        ("a million", "1e6, -1e6"),
        ("one number", "7"),
    ]
    return ([Case("vector", n, d, e) for n, d, e in bad]
            + [Case("odd vector", n, d, None) for n, d in works])


# --- Data files for the command line -----------------------------------------------------------

def _idx(array: np.ndarray, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def idx_cases() -> list[Case]:
    digits = np.zeros((3, 28, 28), np.uint8)
    digits[:, 8:20, 12:16] = 255
    bad = [
        ("empty file", b"", "not an IDX file"),
        ("zero images", _idx(np.zeros((0, 28, 28), np.uint8)), "no images"),
        ("wrong image size", _idx(np.zeros((2, 10, 10), np.uint8)), "28×28"),
        ("float images", _idx(np.zeros((2, 28, 28), ">f4"), 0x0D), "28×28"),
        ("truncated", _idx(digits)[:500], "promises"),
        ("broken gzip", gzip.compress(_idx(digits))[:40], "broken gzip"),
        ("a png", _encode(_digit()), "not an IDX file"),
    ]
    works = [("three digits", _idx(digits)), ("gzipped", gzip.compress(_idx(digits)))]
    return ([Case("idx", n, d, e) for n, d, e in bad]
            + [Case("odd idx", n, d, None) for n, d in works])


def babi_file_cases() -> list[Case]:
    bad = [
        ("empty file", b"", "no questions"),
        ("statements only", b"1 Mary went to the kitchen.\n2 John went home.\n",
         "no questions"),
        ("no line numbers", b"Mary went to the kitchen.\n", "expected a line number"),
        ("question without answer", b"1 Mary went home.\n2 Where is Mary?\thome\n",
         "question needs"),
        ("bad supporting ids", b"1 Mary went home.\n2 Where is Mary?\thome\t7\n",
         "supporting ids"),
        ("not utf-8", "1 Zoë went home.\n2 Where is Zoë?\thome\t1\n".encode("latin-1"),
         "not a text file"),
        ("binary", b"\x00\xff\xfe" * 100, "not a text file"),
    ]
    works = [("tiny task 1 file", (FIXTURES / "babi" / "tiny_qa1.txt").read_bytes()),
             ("non-latin story", "1 Zoë went to the café.\n2 Where is Zoë?\tcafé\t1\n"
              .encode())]
    return ([Case("babi file", n, d, e) for n, d, e in bad]
            + [Case("odd babi file", n, d, None) for n, d in works])


# --- Command-line arguments --------------------------------------------------------------------

def argument_cases() -> list[Case]:
    """argv (with {img}, {dir}, {missing}, {file} placeholders) and the phrase to expect."""
    dream = ["dream", "{img}", "{dir}/out.png", "--size", "32"]
    stylize = ["stylize", "{img}", "{img}", "{dir}/out.png", "--size", "32"]
    bad = [
        (dream + ["--octaves", "0"], "not at least 1"),
        (dream + ["--octaves", "-2"], "not at least 1"),
        (dream + ["--octaves", "two"], "not a whole number"),
        (dream + ["--steps", "-3"], "not at least 1"),
        (dream + ["--steps", "0"], "not at least 1"),
        (dream + ["--steps", "1.5"], "not a whole number"),
        (dream + ["--step-size", "nan"], "not a finite number"),
        (dream + ["--step-size", "inf"], "not a finite number"),
        (dream + ["--step-size", "-0.01"], "not above 0"),
        (dream + ["--step-size", "0"], "not above 0"),
        (dream + ["--layers", "fire5_concat:abc"], "'abc' is not a number"),
        (dream + ["--layers", "fire5_concat:nan"], "not a finite number"),
        (dream + ["--layers", "fire5_concat:-1"], "negative"),
        (dream + ["--layers", ":2"], "no layer name"),
        (dream + ["--layers", "no_such_layer"], "unknown layers"),
        (dream + ["--layers", "fire5_concat:0"], "nothing to amplify"),
        (dream + ["--max-loss", "-1"], "negative"),
        (dream + ["--max-loss", "nan"], "not a finite number"),
        (dream + ["--size", "0"], "between 32 and 1024"),
        (dream + ["--size", "100000"], "between 32 and 1024"),
        (dream + ["--seed", "-1"], "negative"),
        (["dream", "{dir}", "{dir}/out.png"], "is a folder"),
        (["dream", "{missing}", "{dir}/out.png"], "does not exist"),
        (["dream", "{img}", "{dir}"], "is a folder"),
        (["dream", "{img}", "{file}/out.png"], "is a file"),
        (["dream", "{img}"], "required"),
        (stylize + ["--steps", "0"], "not between 1 and 2000"),
        (stylize + ["--steps", "two"], "not a whole number"),
        (stylize + ["--steps", "1.5"], "not a whole number"),
        (stylize + ["--size", "0"], "between 32 and 1024"),
        (stylize + ["--size", "100000"], "between 32 and 1024"),
        (stylize + ["--content-weight", "-1"], "negative"),
        (stylize + ["--content-weight", "nan"], "not a finite number"),
        (stylize + ["--style-weight", "inf"], "not a finite number"),
        (stylize + ["--style-weight", "lots"], "not a number"),
        (stylize + ["--tv-weight", "-0.5"], "negative"),
        (stylize + ["--learning-rate", "0"], "not above 0"),
        (stylize + ["--learning-rate", "nan"], "not a finite number"),
        (stylize + ["--model", "nope"], "invalid choice"),
        (stylize + ["--recipe", "nope"], "invalid choice"),
        (stylize + ["--optimizer", "sgd"], "invalid choice"),
        (stylize + ["--style-layers", "no_such_layer"], "unknown layers"),
        (stylize + ["--content-layer", "no_such_layer"], "unknown layers"),
        (stylize + ["--content-weight", "0", "--style-weight", "0", "--tv-weight", "0"],
         "nothing to optimise"),
        (["stylize", "{dir}", "{img}", "{dir}/out.png"], "is a folder"),
        (["stylize", "{img}", "{missing}", "{dir}/out.png"], "does not exist"),
        (["stylize", "{img}", "{img}", "{dir}"], "is a folder"),
        (["stylize", "{img}", "{img}", "{file}/out.png"], "is a file"),
        (["stylize", "{img}", "{img}"], "required"),
        (["evaluate", "babi", "--task", "1", "--data", "{dir}"], "is a folder"),
        (["evaluate", "babi", "--task", "1", "--data", "{missing}"], "does not exist"),
        (["evaluate", "babi", "--task", "99"], "invalid choice"),
        (["evaluate", "air-quality", "--model", "all", "--data", "{dir}"], "is a folder"),
        (["evaluate", "air-quality", "--model", "nope"], "invalid choice"),
        (["evaluate", "air-quality", "--model", "all", "--data-dir", "{missing}"],
         "does not exist"),
        (["evaluate", "autoencoder", "--dataset", "mnist", "--model", "conv", "--images",
          "{dir}"], "is a folder"),
        (["train", "air-quality", "--model", "all", "--epochs", "0"], "not at least 1"),
        (["train", "air-quality", "--model", "all", "--out", "{file}"], "is a file"),
        (["train", "autoencoder", "--dataset", "mnist", "--model", "conv", "--seed", "x"],
         "not a whole number"),
        (["train", "babi", "--task", "1", "--epochs", "-5"], "not at least 1"),
        (["bench", "initializers", "--depth", "0"], "not at least 1"),
        (["bench", "initializers", "--steps", "-1"], "not at least 1"),
        (["bench", "dream", "--repeats", "0"], "not at least 1"),
        (["bench", "startup", "--repeats", "0"], "not at least 1"),
        (["bench", "style", "--repeats", "0"], "not between 1 and 50"),
        (["bench", "style", "--sizes", "8"], "not between 32 and 1024"),
        (["draw", "style", "--out", "{file}"], "is a file"),
        (["fetch", "no-such-thing"], "unknown resource"),
        (["evaluate"], "required"),
        (["frobnicate"], "invalid choice"),
    ]
    return [Case("argument", " ".join(argv), argv, phrase) for argv, phrase in bad]


def setting_cases() -> list[Case]:
    """The Functional API page takes only bounded controls: their extremes must work."""
    extremes = [  # (hidden layers, units each, activation as its own layer)
        ("deepest and widest", (4, 256, True)),
        ("deepest and narrowest", (4, 4, False)),
        ("shallowest and narrowest", (1, 4, True)),
    ]
    return [Case("extreme setting", n, d, None) for n, d in extremes]


def all_cases() -> list[Case]:
    return (image_cases() + csv_cases() + story_cases() + vector_cases() + idx_cases()
            + babi_file_cases() + argument_cases() + setting_cases())


def census() -> Counter:
    return Counter(case.kind for case in all_cases())


if __name__ == "__main__":
    counts = census()
    for kind, n in sorted(counts.items()):
        print(f"{kind:>15}: {n}")
    print(f"{'total':>15}: {sum(counts.values())} distinct bad inputs")
