# shellcheck shell=bash
# Bootstrap shared by scripts/test and scripts/demo: Python 3.14 venvs for Home
# Assistant (.venv newest tested, .venv-floor oldest supported, .venv-demo newest
# release; Python 3.14 itself from scripts/lib/python314.sh), a Python 3.11 venv for
# the satellite (.venv-satellite, the Python of Raspberry Pi OS Bookworm), the
# mosquitto broker and the sign fonts.
# Each step is skipped when its stamp says nothing changed, so a second run is fast.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
FLOOR_VENV="$ROOT/.venv-floor"
DEMO_VENV="$ROOT/.venv-demo"
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
# fonts-dejavu-extra: DejaVu Math TeX Gyre, a face without Cyrillic that the
# per-character fallback test draws with (tests/satellite/test_fonts.py).
SIGN_PACKAGES=(fonts-dejavu-core fonts-dejavu-extra fonts-wqy-microhei fonts-symbola libraqm0
    libfribidi0)
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

# make_py314_venv DIR KEY REQUIREMENTS...: a Python 3.14 venv in DIR holding the
# requirements files and the satellite package, rebuilt when KEY changes.
make_py314_venv() {
    local dir="$1" key="$2" requirement args=(); shift 2
    # pyvenv.cfg, not bin/python: inside the forky tree bin/python links to a python3.14
    # that the host does not have.
    if [ -f "$dir/pyvenv.cfg" ] && stamp_ok "$dir" "$key"; then return 0; fi
    say "preparing $dir with Python 3.14 ($*; about a minute with a warm cache)"
    rm -rf "$dir"
    "${PY314_RUN[@]}" "$PY314" -m venv "$dir"
    "${PY314_RUN[@]}" "$dir/bin/python" -m pip install -q --upgrade pip >/dev/null
    for requirement in "$@"; do args+=(-r "$ROOT/$requirement"); done
    "${PY314_RUN[@]}" "$dir/bin/python" -m pip install -q "${args[@]}" -e "$ROOT/satellite[test]"
    echo "$key" > "$dir/.stamp"
}

# files_key FILE...: a short hash of the files' contents.
files_key() { (cd "$ROOT" && cat "$@") | sha256sum | cut -c1-16; }

# The three Home Assistant venvs (see docs/platforms.md): .venv with the newest Home
# Assistant the test plugin supports (requirements_test.txt), .venv-floor with the oldest
# one we support (requirements_floor.txt), .venv-demo with the newest release for
# scripts/demo (requirements_demo.txt). All need Python 3.14: ensure_python314 first.
ensure_ha_venv() {
    make_py314_venv "$VENV" "$(files_key requirements_test.txt requirements_common.txt satellite/pyproject.toml)" \
        requirements_test.txt
}
ensure_floor_venv() {
    make_py314_venv "$FLOOR_VENV" "$(files_key requirements_floor.txt requirements_common.txt satellite/pyproject.toml)" \
        requirements_floor.txt
}
ensure_demo_venv() {
    make_py314_venv "$DEMO_VENV" "$(files_key requirements_demo.txt satellite/pyproject.toml)" \
        requirements_demo.txt
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

# shellcheck source=scripts/lib/python314.sh
source "$ROOT/scripts/lib/python314.sh"
