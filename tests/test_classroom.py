"""The classroom benchmark: a short run prints its JSON line and stops the server it started."""

import json
import socket
import subprocess
import sys

import pytest

from core.benchmarks import classroom
from tests.helpers import ROOT


def test_summary_quantiles_and_per_page_figures():
    samples = [("home", "load", 0.1), ("home", "load", 0.3), ("regression", "slider", 0.2),
               ("regression", "poll", 5.0)]
    result = classroom.summarize(samples, ["student 1: boom"], 2, 123.0)
    assert result["interactions"] == 3  # polls of a running job are not clicks
    assert result["p50_s"] == 0.2 and result["max_s"] == 0.3 and result["errors"] == 1
    assert result["per_page"]["regression"]["polls"] == 1
    assert result["per_page"]["home"]["loads"] == 2


def test_a_short_class_prints_json_and_stops_its_server(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "core", "bench", "classroom", "--sessions", "2", "--think", "0.5",
         "--duration", "4"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert {"sessions", "interactions", "p50_s", "p90_s", "max_s", "errors", "server_rss_mb",
            "per_page"} <= result.keys()
    assert result["sessions"] == 2 and result["interactions"] >= 2
    assert result["errors"] == 0, result["first_errors"]
    assert result["server_rss_mb"] > 0 and "home" in result["per_page"]
    assert out.returncode == 0
    with pytest.raises(ConnectionRefusedError):  # nothing listens there any more
        socket.create_connection(("127.0.0.1", result["port"]), timeout=5).close()
