import json
import subprocess
import sys

from tests.conftest import ROOT


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_help_lists_the_subcommands():
    out = _cli("--help").stdout
    for command in ("fetch", "train", "evaluate", "dream", "bench"):
        assert command in out


def test_bench_startup_prints_one_json_object():
    result = _cli("bench", "startup", "--repeats", "1")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["import_core_s"] < figures["import_keras_s"]
    assert figures["peak_rss_mib"] > 0
    assert set(figures["load_model_s"]) == {
        str(p.relative_to(ROOT / "assets")) for p in (ROOT / "assets").rglob("*.keras")}
