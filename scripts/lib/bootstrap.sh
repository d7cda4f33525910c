# shellcheck shell=bash
# Bootstrap shared by scripts/test and scripts/demo: Python 3.13 venv for Home
# Assistant (.venv), Python 3.11 venv for the satellite (.venv-satellite, the
# Python of Raspberry Pi OS Bookworm), and the mosquitto broker.
# Each step is skipped when its stamp says nothing changed, so a second run is fast.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
SAT_VENV="$ROOT/.venv-satellite"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root or sudo to run: $*"
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ -z "${_APT_UPDATED:-}" ]; then
        as_root apt-get update -qq >/dev/null || return 1
        _APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_mosquitto() {
    PATH="$PATH:/usr/sbin:/sbin"
    if command -v mosquitto >/dev/null 2>&1 && command -v mosquitto_passwd >/dev/null 2>&1 \
        && command -v mosquitto_sub >/dev/null 2>&1; then
        return 0
    fi
    say "installing the Debian packages mosquitto and mosquitto-clients"
    apt_install mosquitto mosquitto-clients \
        || die "mosquitto is not installed and could not be installed; install the Debian package 'mosquitto' (and 'mosquitto-clients') and run again"
    command -v mosquitto >/dev/null 2>&1 || die "mosquitto still not on PATH after installing it"
}

# Fonts and text shaping the satellite draws with (the same packages its README
# names for a Pi): DejaVu, a CJK font with Hangul (WenQuanYi Micro Hei, 5 MB, instead
# of the 90 MB Noto CJK), a monochrome symbol/emoji font, libraqm + libfribidi.
# Without them the satellite's tests still pass, testing the fallbacks instead.
SIGN_PACKAGES=(fonts-dejavu-core fonts-wqy-microhei fonts-symbola libraqm0 libfribidi0)
ensure_sign_fonts() {
    local missing=() package
    command -v dpkg-query >/dev/null 2>&1 || return 0
    for package in "${SIGN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
            || missing+=("$package")
    done
    [ "${#missing[@]}" = 0 ] && return 0
    say "installing the Debian packages ${missing[*]} (fonts and text shaping of the signs)"
    apt_install "${missing[@]}" \
        || say "could not install ${missing[*]}; the sign tests run their fallback paths"
}

# Print a working python3.13 (the pyenv shim alone refuses; see DESIGN.md).
find_python313() {
    local candidate
    for candidate in /usr/bin/python3.13 /usr/local/bin/python3.13 \
        "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.13*/bin/python3.13 \
        "$(command -v python3.13 2>/dev/null || true)"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        if "$candidate" -c 'import sys, venv; assert sys.version_info[:2] == (3, 13)' 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}

find_python311() {
    local candidate
    for candidate in /usr/bin/python3.11 /usr/local/bin/python3.11 \
        "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.11*/bin/python3.11 \
        "$(command -v python3.11 2>/dev/null || true)"; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        if "$candidate" -c 'import sys, venv, ensurepip; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}

# stamp_ok DIR KEY: true when DIR/.stamp holds KEY.
stamp_ok() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }

ensure_ha_venv() {
    local py key
    key="$(cat "$ROOT/requirements_test.txt" "$ROOT/satellite/pyproject.toml" | sha256sum | cut -c1-16)"
    if [ -x "$VENV/bin/python" ] && stamp_ok "$VENV" "$key"; then return 0; fi
    py="$(find_python313)" || die "Python 3.13 not found (looked in /usr/bin, pyenv versions, PATH); Home Assistant 2025.4 needs it"
    say "preparing $VENV with $py (Home Assistant and test dependencies; a few minutes the first time)"
    [ -x "$VENV/bin/python" ] || "$py" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements_test.txt"
    "$VENV/bin/python" -m pip install -q -e "$ROOT/satellite[test]"
    echo "$key" > "$VENV/.stamp"
}

ensure_satellite_venv() {
    local py key
    key="$(sha256sum "$ROOT/satellite/pyproject.toml" | cut -c1-16)"
    if [ -x "$SAT_VENV/bin/python" ] && stamp_ok "$SAT_VENV" "$key"; then return 0; fi
    if ! py="$(find_python311)"; then
        say "installing python3.11 venv support (Debian python3-venv)"
        apt_install python3-venv python3.11-venv || true
        py="$(find_python311)" || die "Python 3.11 with venv not found; the satellite must be tested on the Python of Raspberry Pi OS Bookworm"
    fi
    say "preparing $SAT_VENV with $py (satellite on Python 3.11)"
    [ -x "$SAT_VENV/bin/python" ] || "$py" -m venv "$SAT_VENV"
    "$SAT_VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$SAT_VENV/bin/python" -m pip install -q -e "$ROOT/satellite[test]"
    echo "$key" > "$SAT_VENV/.stamp"
}
