"""The data layer: each place it looks, downloads from a local server, and its failures."""

from __future__ import annotations

import hashlib
import http.server
import io
import tarfile
import threading
import zipfile
from dataclasses import replace

import pytest

from core import datasets
from core.cli import main as cli_main

PAYLOAD = b"Date;Time;CO(GT)\r\n10/03/2004;18.00.00;2,6\r\n" * 500


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    truncate: set[str] = set()
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        self.hits.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path in self.truncate:  # promise the whole file, send half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.close()
        else:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.files, _Handler.truncate, _Handler.hits = {}, set(), []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler
    httpd.shutdown()


@pytest.fixture
def online(monkeypatch):
    monkeypatch.delenv("LAB_OFFLINE", raising=False)
    monkeypatch.delenv("LAB_DATA_DIR", raising=False)


def _serve_resource(monkeypatch, base, handler, body, *, digest="sha256", unpack="file",
                    save_as="air_quality/AirQualityUCI.csv", name="air-quality"):
    handler.files["/file"] = body
    value = None if digest is None else f"{digest}:{hashlib.new(digest, body).hexdigest()}"
    res = replace(datasets.RESOURCES[name], downloads=(datasets.Download(f"{base}/file", value,
                                                                 unpack, save_as),))
    monkeypatch.setitem(datasets.RESOURCES, name, res)
    return res


def _cache_entries():
    return sorted(p.name for p in datasets.cache_dir().rglob("*"))


def test_explicit_folder_comes_before_lab_data_dir(tmp_path, monkeypatch):
    for folder in ("flag", "env"):
        (tmp_path / folder / "air_quality").mkdir(parents=True)
        (tmp_path / folder / "air_quality" / "AirQualityUCI.csv").write_bytes(PAYLOAD)
    monkeypatch.setenv("LAB_DATA_DIR", str(tmp_path / "env"))
    assert datasets.locate("air-quality").parent.parent == tmp_path / "env"
    assert datasets.locate("air-quality", tmp_path / "flag").parent.parent == tmp_path / "flag"
    assert datasets.availability("air-quality").state == "local"


def test_system_copy_comes_before_the_cache(tmp_path, monkeypatch):
    system = tmp_path / "usr-share"
    system.mkdir()
    (system / "t10k-labels-idx1-ubyte.gz").write_bytes(b"labels")
    monkeypatch.delenv("LAB_DATA_DIR", raising=False)
    monkeypatch.setitem(datasets.RESOURCES, "fashion-mnist",
                        replace(datasets.RESOURCES["fashion-mnist"], system_dirs=(str(system),)))
    assert datasets.locate("fashion-mnist") == system / "t10k-labels-idx1-ubyte.gz"
    assert datasets.availability("fashion-mnist").state == "system"


def test_download_is_verified_cached_and_not_repeated(server, online, monkeypatch):
    base, handler = server
    _serve_resource(monkeypatch, base, handler, PAYLOAD)
    assert datasets.availability("air-quality").state == "download"
    seen = []
    path = datasets.locate("air-quality", progress=lambda done, total: seen.append((done, total)))
    assert path.read_bytes() == PAYLOAD
    assert path.is_relative_to(datasets.cache_dir())
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD))
    assert datasets.locate("air-quality") == path
    assert handler.hits == ["/file"]  # the second call was served from the cache
    assert datasets.availability("air-quality").state == "cached"


def test_md5_digests_are_checked_too(server, online, monkeypatch):
    base, handler = server
    _serve_resource(monkeypatch, base, handler, PAYLOAD, digest="md5")
    assert datasets.locate("air-quality").read_bytes() == PAYLOAD


def test_checksum_mismatch_writes_nothing(server, online, monkeypatch):
    base, handler = server
    _serve_resource(monkeypatch, base, handler, PAYLOAD)
    handler.files["/file"] = PAYLOAD.replace(b"2,6", b"9,9")  # tampered in transit
    with pytest.raises(datasets.DataNotFound, match="expected"):
        datasets.locate("air-quality")
    assert _cache_entries() == []


def test_connection_dropped_mid_file_writes_nothing(server, online, monkeypatch):
    base, handler = server
    _serve_resource(monkeypatch, base, handler, PAYLOAD)
    handler.truncate.add("/file")
    with pytest.raises(datasets.DataNotFound, match="download failed"):
        datasets.locate("air-quality")
    assert _cache_entries() == []


def test_zip_archive_is_unpacked_into_place(server, online, monkeypatch):
    base, handler = server
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("AirQualityUCI.csv", PAYLOAD)
        zf.writestr("AirQualityUCI.xlsx", b"not used")
    _serve_resource(monkeypatch, base, handler, buffer.getvalue(), digest=None, unpack="zip",
                    save_as="air_quality")
    assert datasets.locate("air-quality").read_bytes() == PAYLOAD


def test_tar_archive_is_unpacked_and_escapes_are_refused(server, online, monkeypatch):
    base, handler = server

    def tar_with(name: str) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
            info = tarfile.TarInfo(name)
            info.size = len(PAYLOAD)
            tf.addfile(info, io.BytesIO(PAYLOAD))
        return buffer.getvalue()

    _serve_resource(monkeypatch, base, handler, tar_with("../evil.txt"), unpack="tar",
                    save_as="babi", name="babi")
    with pytest.raises(datasets.DataNotFound, match="unusable archive"):
        datasets.locate("babi")
    assert not (datasets.cache_dir().parent / "evil.txt").exists()

    _serve_resource(monkeypatch, base, handler, tar_with("tasks_1-20_v1-2/en/qa1_train.txt"),
                    unpack="tar", save_as="babi", name="babi")
    path = datasets.locate("babi")
    assert (path / "en" / "qa1_train.txt").read_bytes() == PAYLOAD


def test_offline_error_names_every_place_and_the_fix(monkeypatch):
    monkeypatch.delenv("LAB_DATA_DIR", raising=False)
    with pytest.raises(datasets.DataNotFound) as err:
        datasets.locate("babi")
    message = str(err.value)
    assert "bAbI" in message and "LAB_DATA_DIR (not set)" in message
    assert str(datasets.cache_dir()) in message
    assert "python -m core fetch babi" in message
    assert datasets.availability("babi").state == "missing"


def test_unreachable_server_is_a_clear_error(online, monkeypatch):
    nowhere = datasets.Download("http://127.0.0.1:9/none.h5", None, "file", "x.h5")
    res = replace(datasets.RESOURCES["squeezenet"], downloads=(nowhere,))
    monkeypatch.setitem(datasets.RESOURCES, "squeezenet", res)
    with pytest.raises(datasets.DataNotFound, match="download failed"):
        datasets.locate("squeezenet")


def test_fetch_command(server, online, monkeypatch, capsys):
    base, handler = server
    _serve_resource(monkeypatch, base, handler, PAYLOAD)
    assert cli_main(["fetch", "air-quality"]) == 0
    assert "AirQualityUCI.csv" in capsys.readouterr().out
    assert cli_main(["fetch", "no-such-thing"]) == 2


def test_shared_data_is_found_where_the_readme_says(data_dir):
    for name in ("air-quality", "babi", "mnist", "squeezenet"):
        assert datasets.locate(name).is_relative_to(data_dir)


def test_a_download_is_promised_only_when_its_server_answers(online, monkeypatch):
    answering = {"archive.ics.uci.edu"}

    def connect(address):
        if address[0] not in answering:
            raise OSError("unreachable")

    monkeypatch.setattr(datasets, "_connect", connect)
    assert datasets.availability("air-quality").state == "download"
    babi = datasets.availability("babi")
    assert babi.state == "missing" and babi.reason == "s3.amazonaws.com cannot be reached"
    assert "cannot be downloaded now" in babi.message and "LAB_DATA_DIR" in babi.message
    monkeypatch.setenv("LAB_OFFLINE", "1")
    assert datasets.availability("air-quality").reason == "downloads are off: LAB_OFFLINE is set"


def test_a_slow_server_counts_as_unreachable_and_is_asked_again_later(online, monkeypatch):
    release, calls = threading.Event(), []

    def hanging(address):  # a name lookup or a connection that never answers in time
        calls.append(address)
        release.wait(5)

    monkeypatch.setattr(datasets, "_connect", hanging)
    monkeypatch.setattr(datasets, "PROBE_TIMEOUT_S", 0.2)
    url = datasets.RESOURCES["babi"].downloads[0].url
    assert not datasets.reachable(url)  # gave up after PROBE_TIMEOUT_S, not after the hang
    asked = len(calls)
    assert not datasets.reachable(url) and len(calls) == asked  # remembered: no new probe
    release.set()
    monkeypatch.setattr(datasets, "PROBE_TTL_S", 0.0)
    monkeypatch.setattr(datasets, "_connect", lambda address: None)
    assert datasets.reachable(url)  # past its time to live, the server is asked again
