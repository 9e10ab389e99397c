"""The classroom benchmark: a short run prints its JSON line and stops the server it started."""

import json
import socket
import subprocess
import sys

import pytest

from core.benchmarks import classroom
from tests.helpers import ROOT, apart


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


def test_a_soak_reports_each_window_and_the_growth_of_memory_over_its_second_half():
    samples = [(10.0, "home", "load", 0.2), (20.0, "regression", "slider", 0.4),
               (310.0, "home", "load", 0.6), (320.0, "regression", "poll", 9.0)]
    memory = [(0.0, 500.0), (299.0, 800.0), (300.0, 900.0), (599.0, 990.0)]
    soak = classroom.soak_summary(samples, memory, duration=600)
    assert [w["clicks"] for w in soak["windows"]] == [2, 1]  # polls are not clicks
    assert [w["rss_end_mb"] for w in soak["windows"]] == [800.0, 990.0]
    assert soak["windows"][1]["p90_s"] == 0.6
    assert soak["rss_half_mb"] == 900.0 and soak["second_half_growth"] == 0.1
    assert soak["rss_per_minute_mb"] == [500.0, *[800.0] * 4, 900.0, *[990.0] * 4]


def test_a_class_opening_links_at_once_on_fresh_servers_meets_no_error():
    # Three servers just started, each met at once by two links to every model page, as a class
    # clicking a shared link: no page, no later visit and no line of the server's log may show an
    # error (before TensorFlow's import had one place, 3 of 3 servers broke for good).
    result = apart(classroom.cold, rounds=3, sessions=2 * len(classroom.model_links()))
    assert result["errors"] == 0, [r["first_errors"] for r in result["rounds"]]
    assert result["broken_servers"] == 0
    assert all(r["first_page_max_s"] is not None for r in result["rounds"])
