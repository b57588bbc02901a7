# Helpers the scripts share; sourced by them, not run on its own.

# Runs a command as root: directly when we are root, else through sudo.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# A free local port: `free_port` for TCP, `free_port SOCK_DGRAM` for UDP.
free_port() {
    python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.${1:-SOCK_STREAM}); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

# Waits until URL answers with a success, checking every tenth of a second for up to SECONDS
# (default 15); says so on standard error and fails when it never does.
wait_for() { # URL [SECONDS]
    for _ in $(seq $((${2:-15} * 10))); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
    echo "no answer from $1" >&2
    return 1
}

# A webhook endpoint that verifies every delivery with the PyPI package `standardwebhooks`
# (Tests/FootfallAppTests/Fixtures/webhook_receiver.py), in DIR; sets `receiver_url` and
# `receiver_pid`. It lives while this script holds the writing end of its input (file
# descriptor 7; start long-lived children with `7>&-`), so it ends with the script however that
# ends; `receiver_secret SECRET` tells it the endpoint's secret.
start_receiver() { # DIR
    mkfifo "$1/receiver.in"
    python3 Tests/FootfallAppTests/Fixtures/webhook_receiver.py none <"$1/receiver.in" >"$1/receiver.port" 2>"$1/receiver.log" &
    receiver_pid=$!
    disown
    exec 7>"$1/receiver.in"
    for _ in $(seq 100); do [ -s "$1/receiver.port" ] && break; sleep 0.1; done
    [ -s "$1/receiver.port" ] || { echo "the webhook receiver did not start:" >&2; cat "$1/receiver.log" >&2; return 1; }
    receiver_url="http://127.0.0.1:$(cat "$1/receiver.port")"
}
receiver_secret() { # SECRET
    [ -n "$1" ] || { echo "no webhook secret to give the receiver" >&2; return 1; }
    curl -fsS -X POST -d "{\"secret\":\"$1\"}" "$receiver_url/plan" >/dev/null
}
