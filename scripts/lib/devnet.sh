# Helpers of scripts/devnet: process supervision (one process group per service), bounded waits,
# port checks, timing. Sourced, not executed. Every wait is bounded; every process started with
# `devnet_spawn` is stopped by `devnet_stop_all` (the scripts's EXIT trap).

DEVNET_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# pyjson EXPR [FILE]: a small jq stand-in in Python (see scripts/lib/pyjson; jq is not everywhere).
pyjson() { python3 "$DEVNET_LIB_DIR/pyjson" "$@"; }

# Services started so far, in start order: "name pid" per entry.
DEVNET_SERVICES=()

devnet_log() { printf 'devnet: %s\n' "$*" >&2; }

# devnet_die <reason>: one line on stderr, then exit 1 (the EXIT trap stops everything).
devnet_die() {
    printf 'devnet: error: %s\n' "$*" >&2
    exit 1
}

# devnet_now: wall-clock seconds with microseconds (for stage timings).
devnet_now() { printf '%s\n' "${EPOCHREALTIME/,/.}"; }

# devnet_elapsed <from> [<to>]: seconds between two devnet_now stamps, 2 decimals.
devnet_elapsed() {
    local from=$1 to=${2:-$(devnet_now)}
    awk -v a="$from" -v b="$to" 'BEGIN { printf "%.2f", b - a }'
}

# devnet_port_free <port>: true when nothing listens on 127.0.0.1:<port>.
devnet_port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# devnet_require_ports <port>...: refuses clearly when any port is taken.
devnet_require_ports() {
    local port taken=()
    for port in "$@"; do
        devnet_port_free "$port" || taken+=("$port")
    done
    if ((${#taken[@]} > 0)); then
        devnet_die "port(s) ${taken[*]} on 127.0.0.1 already in use (another devnet? use --base-port / --dir, or stop it)"
    fi
}

# devnet_spawn <name> <logfile> <command...>: starts the command in its own session (so its
# process group can be stopped as a whole: pegd's CometBFT child included) with stdout and
# stderr to <logfile>; records its pid in DEVNET_SERVICES and <run dir>/pids/<name>.
devnet_spawn() {
    local name=$1 log=$2
    shift 2
    setsid "$@" >"$log" 2>&1 </dev/null &
    local pid=$!
    DEVNET_SERVICES+=("$name $pid")
    printf '%s\n' "$pid" >"$DEVNET_DIR/pids/$name"
    devnet_log "started $name (pid $pid, log $log)"
}

# devnet_alive <pid>: the process exists and is not a zombie.
devnet_alive() {
    local state
    state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
    [[ -n $state && $state != Z ]]
}

# devnet_stop <name> <pid>: SIGTERM to the leader (pegd stops its CometBFT itself), up to 15 s,
# then SIGKILL to the whole process group; reaps it.
devnet_stop() {
    local name=$1 pid=$2 i
    if devnet_alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 150; i++)); do
            devnet_alive "$pid" || break
            sleep 0.1
        done
    fi
    # Whatever is left in the group (a child the leader did not stop) goes now.
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # pids/<name> stays: a later start checks it is dead, and tests check nothing survived.
}

# devnet_stop_all: stops every service, newest first.
devnet_stop_all() {
    local i entry
    for ((i = ${#DEVNET_SERVICES[@]} - 1; i >= 0; i--)); do
        entry=${DEVNET_SERVICES[$i]}
        devnet_stop "${entry% *}" "${entry#* }"
    done
    DEVNET_SERVICES=()
}

# devnet_check_alive: dies naming the first service that exited.
devnet_check_alive() {
    local entry name pid
    for entry in "${DEVNET_SERVICES[@]+"${DEVNET_SERVICES[@]}"}"; do
        name=${entry% *}
        pid=${entry#* }
        if ! devnet_alive "$pid"; then
            devnet_log "last lines of $DEVNET_DIR/logs/$name.log:"
            tail -n 20 "$DEVNET_DIR/logs/$name.log" >&2 2>/dev/null || true
            devnet_die "$name (pid $pid) exited"
        fi
    done
}

# devnet_wait <seconds> <what> <command...>: polls the command every 0.25 s until it succeeds;
# dies after <seconds> or as soon as a service exits.
devnet_wait() {
    local timeout=$1 what=$2
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        devnet_check_alive
        if ((SECONDS >= deadline)); then
            devnet_die "timed out after ${timeout}s waiting for $what"
        fi
        sleep 0.25
    done
}

# devnet_http_ok <url>: a 2xx answer.
devnet_http_ok() { curl -fsS --max-time 2 "$1" >/dev/null; }

# devnet_eth_rpc <url> <method> <params-json>: the JSON-RPC result.
devnet_eth_rpc() {
    curl -fsS --max-time 5 -H 'content-type: application/json' \
        --data "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1" |
        pyjson 'json.dumps(d["result"])'
}

# devnet_abci_query <rpc port> <path>: the application's JSON answer to an ABCI query (code 0 only).
devnet_abci_query() {
    local port=$1 path=$2 answer
    answer=$(curl -fsS --max-time 5 -G "http://127.0.0.1:$port/abci_query" \
        --data-urlencode "path=\"$path\"") || return 1
    pyjson 'd["result"]["response"].get("code", 0) == 0 and (d["result"]["response"].get("value") or "")' \
        <<<"$answer" | base64 -d
}

# devnet_height <rpc port>: the node's latest block height.
devnet_height() {
    curl -fsS --max-time 2 "http://127.0.0.1:$1/status" |
        pyjson 'int(d["result"]["sync_info"]["latest_block_height"])'
}

# devnet_height_at_least <rpc port> <height>
devnet_height_at_least() {
    local h
    h=$(devnet_height "$1") || return 1
    ((h >= $2))
}

# devnet_tx <rpc port> <pegd tx args...>: `pegd tx --output json` through node <rpc port>, then
# waits (30 s) until the transaction is committed; dies unless it executed with code 0. Prints the
# committed height. Needs $pegd and $DEVNET_DIR.
devnet_tx() {
    local port=$1 out hash i answer
    shift
    out=$("$pegd" tx --node "127.0.0.1:$port" --output json "$@" 2>>"$DEVNET_DIR/logs/tx.log") ||
        devnet_die "pegd tx $* refused: $(tail -n 1 "$DEVNET_DIR/logs/tx.log")"
    hash=$(pyjson 'd["hash"]' <<<"$out") || devnet_die "no hash in the output of pegd tx $*: $out"
    for ((i = 0; i < 120; i++)); do
        if answer=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/tx?hash=0x$hash" 2>/dev/null); then
            pyjson 'd["result"]["tx_result"].get("code", 0) == 0' <<<"$answer" >/dev/null ||
                devnet_die "pegd tx $* failed: $(pyjson 'd["result"]["tx_result"].get("log", "")' <<<"$answer")"
            pyjson 'd["result"]["height"]' <<<"$answer"
            return 0
        fi
        sleep 0.25
    done
    devnet_die "timed out after 30s waiting for transaction $hash (pegd tx $*)"
}

# devnet_eth_call_u256 <url> <to> <calldata>: the first returned word, decimal.
devnet_eth_call_u256() {
    devnet_eth_rpc "$1" eth_call "[{\"to\":\"$2\",\"data\":\"$3\"},\"latest\"]" | pyjson 'str(int(d, 16))'
}

# devnet_eth_balance <url> <address>: wei, decimal.
devnet_eth_balance() {
    devnet_eth_rpc "$1" eth_getBalance "[\"$2\",\"latest\"]" | pyjson 'str(int(d, 16))'
}

# devnet_word <address>: the 32-byte ABI word of an address (64 lower-case hex digits).
devnet_word() {
    local a=${1#0x}
    printf '%064s' "$a" | tr ' ' 0 | tr 'A-F' 'a-f'
}
