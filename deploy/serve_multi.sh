#!/usr/bin/env bash
# Serve the app as N Streamlit processes behind HAProxy with cookie-based sticky sessions.
#
#   deploy/serve_multi.sh [N]        # N processes (default: one per CPU core)
#
# Environment: PORT (public port, default 8501), BIND (default 0.0.0.0), BACKEND_PORT (the
# first process's loopback port, default 8601). Needs HAProxy: `sudo apt-get install haproxy`.
# Ctrl-C stops everything.
set -euo pipefail

N=${1:-$(nproc)}
PORT=${PORT:-8501}
BIND=${BIND:-0.0.0.0}
BACKEND_PORT=${BACKEND_PORT:-8601}
cd "$(dirname "$0")/.."

if ! command -v haproxy >/dev/null; then
    echo "HAProxy is not installed: sudo apt-get install haproxy" >&2
    exit 1
fi

run_dir=$(mktemp -d)
cleanup() {
    trap - EXIT INT TERM
    kill $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$run_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One cookie secret for all processes, so that Streamlit's XSRF cookie is valid on each.
STREAMLIT_SERVER_COOKIE_SECRET=$(python -c 'import secrets; print(secrets.token_hex(32))')
export STREAMLIT_SERVER_COOKIE_SECRET
servers=""
for i in $(seq 1 "$N"); do
    port=$((BACKEND_PORT + i - 1))
    python -m streamlit run streamlit_app.py --server.address 127.0.0.1 \
        --server.port "$port" \
        >"$run_dir/streamlit-$i.log" 2>&1 &
    servers+="    server s$i 127.0.0.1:$port check cookie s$i"$'\n'
done

for i in $(seq 1 "$N"); do  # wait until every process answers its health check
    port=$((BACKEND_PORT + i - 1))
    for _ in $(seq 1 120); do
        if python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2)" 2>/dev/null; then
            break
        fi
        sleep 0.5
    done
    # Open Home once on each process, as its first student would: its first script starts the
    # Keras import in the background (core/serving.py) and leaves Streamlit's pages-folder mode
    # (pages/__init__.py), so every process is warmed the same way before the class arrives.
    python -c "import asyncio; from core.benchmarks.student import open_link; asyncio.run(open_link('http://127.0.0.1:$port'))"
done

python - "$run_dir/haproxy.cfg" "$BIND" "$PORT" "$servers" <<'PY'
import sys
from pathlib import Path

out, bind, port, servers = sys.argv[1:]
template = Path("deploy/haproxy.cfg.in").read_text()
Path(out).write_text(template.replace("@BIND@", bind).replace("@PORT@", port)
                     .replace("@SERVERS@", servers.rstrip("\n")))
PY
echo "Serving $N Streamlit processes on http://$BIND:$PORT (logs in $run_dir)"
haproxy -db -f "$run_dir/haproxy.cfg" &
wait -n
