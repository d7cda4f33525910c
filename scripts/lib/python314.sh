# shellcheck shell=bash
# Python 3.14 for Home Assistant (2026.3 and later need Python >= 3.14.2).
#
# ensure_python314 sets PY314_RUN, a command prefix (a bash array) under which
# "python3.14" is a working Python 3.14, and PY314 to that interpreter's path:
#
#   1. a python3.14 already on the machine (PATH, /usr/bin, /usr/local/bin, pyenv
#      versions, uv's managed Pythons): PY314_RUN is empty, nothing is built;
#   2. otherwise, on Debian as root: a minimal Debian "forky" tree made once by
#      debootstrap under $EPAPER_CACHE (default ~/.cache/odoo-epaper), with
#      python3.14, mosquitto 2.1 and the sign fonts. PY314_RUN enters it in a
#      private mount namespace (unshare) with /dev, /proc, /sys, /tmp and the
#      checkout bound at their own paths, so the same paths work inside and out.
#
# Debian 12 has no python3.14, and forky's .debs need glibc >= 2.38 (bookworm has
# 2.36), so they cannot run on the host itself; see docs/platforms.md.

EPAPER_CACHE="${EPAPER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/odoo-epaper}"
FORKY_MIRROR="${FORKY_MIRROR:-http://deb.debian.org/debian}"
# What the tree holds; changing this list makes a new tree (the key names it).
FORKY_PACKAGES=(python3.14 python3.14-venv python3.14-dev build-essential ca-certificates
    mosquitto mosquitto-clients git fonts-dejavu-core fonts-dejavu-extra fonts-wqy-microhei
    fonts-symbola libraqm0 libfribidi0 tzdata locales)

# Print a python3.14 >= 3.14.2 found on this machine, if any.
find_python314() {
    local candidate uv_dir
    uv_dir="$(uv python dir 2>/dev/null || echo "$HOME/.local/share/uv/python")"
    for candidate in "$(command -v python3.14 2>/dev/null || true)" \
        /usr/bin/python3.14 /usr/local/bin/python3.14 \
        "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.14*/bin/python3.14 \
        "$uv_dir"/cpython-3.14*/bin/python3.14; do
        [ -n "$candidate" ] && [ -x "$candidate" ] || continue
        if "$candidate" -c 'import sys, venv, ensurepip; assert sys.version_info >= (3, 14, 2)' \
            2>/dev/null; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}

forky_key() { printf '%s\n' "${FORKY_PACKAGES[@]}" | sha256sum | cut -c1-12; }

# forky_run TREE COMMAND...: run COMMAND inside TREE, cwd and environment kept.
forky_run() {
    local tree="$1"; shift
    unshare --mount --fork --propagation private -- /bin/bash -c '
        set -e
        tree="$1" root="$2" cwd="$3"; shift 3
        mount --rbind /dev "$tree/dev"
        mount -t proc proc "$tree/proc"
        mount --rbind /sys "$tree/sys"
        mount --bind /tmp "$tree/tmp"
        mkdir -p "$tree$root"
        mount --bind "$root" "$tree$root"
        [ ! -d "$EPAPER_CACHE/pip" ] || { mkdir -p "$tree/root/.cache/pip"; mount --bind "$EPAPER_CACHE/pip" "$tree/root/.cache/pip"; }
        exec chroot "$tree" /usr/bin/env -C "$cwd" -u PIP_FIND_LINKS \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
            SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
            REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt "$@"
    ' _ "$tree" "$ROOT" "$PWD" "$@"
}

# make_forky_tree TREE: debootstrap forky into TREE (about 2 to 4 minutes).
make_forky_tree() {
    local tree="$1" work deb_name
    [ "$(id -u)" = 0 ] || die "no python3.14 on this machine, and making one (a Debian forky tree) needs root; install Python >= 3.14.2 (pyenv, uv, your distribution) and run again"
    command -v dpkg >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 \
        || die "no python3.14 on this machine and no dpkg/unshare to make one; install Python >= 3.14.2 and run again"
    say "no python3.14 here: making a Debian forky tree with python3.14 in $tree (a few minutes, once)"
    work="$(mktemp -d)"
    # forky's own debootstrap knows forky; bookworm's may not.
    deb_name="$(curl -fsS -m 120 "$FORKY_MIRROR/dists/forky/main/binary-all/Packages.xz" | xz -dc \
        | awk -v RS= '/^Package: debootstrap\n/' | sed -n 's/^Filename: //p' | head -1)"
    [ -n "$deb_name" ] || die "could not read forky's package list from $FORKY_MIRROR"
    curl -fsS -m 300 -o "$work/debootstrap.deb" "$FORKY_MIRROR/$deb_name" \
        || die "could not download $FORKY_MIRROR/$deb_name"
    dpkg -x "$work/debootstrap.deb" "$work/ds"
    rm -rf "$tree.partial"; mkdir -p "$tree.partial"
    local include; include="$(IFS=,; echo "${FORKY_PACKAGES[*]}")"
    DEBOOTSTRAP_DIR="$work/ds/usr/share/debootstrap" \
        "$work/ds/usr/sbin/debootstrap" --variant=minbase --include="$include" \
        --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
        forky "$tree.partial" "$FORKY_MIRROR" > "$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap of forky failed (log above)"; }
    # Inside: DNS, a dated mirror, and this machine's extra CA certificates.
    cp /etc/resolv.conf "$tree.partial/etc/resolv.conf"
    echo 'Acquire::Check-Valid-Until "false";' > "$tree.partial/etc/apt/apt.conf.d/99-dated-mirror"
    if [ -d /usr/local/share/ca-certificates ]; then
        cp -r /usr/local/share/ca-certificates/. "$tree.partial/usr/local/share/ca-certificates/"
        chroot "$tree.partial" update-ca-certificates >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    mv "$tree.partial" "$tree"
}

# ensure_python314: set PY314 and PY314_RUN (see the top of this file).
ensure_python314() {
    local found tree
    PY314_RUN=()
    if found="$(find_python314)"; then
        PY314="$found"
        return 0
    fi
    tree="$EPAPER_CACHE/forky-$(forky_key)"
    [ -x "$tree/usr/bin/python3.14" ] || make_forky_tree "$tree"
    mkdir -p "$EPAPER_CACHE/pip"
    # The tree does not copy a changed resolv.conf by itself.
    cp /etc/resolv.conf "$tree/etc/resolv.conf" 2>/dev/null || true
    PY314=/usr/bin/python3.14
    PY314_RUN=(forky_run "$tree")
}
