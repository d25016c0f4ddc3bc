# shellcheck shell=bash
# Shared set-up for scripts/demo and scripts/check: install what is missing
# (Debian 12 packages only), configure and build. Sourced, not executed.

# Every Debian package the build, the tests and the demo need. One list, so
# demo and check can never disagree about what a fresh machine needs.
FWS_PACKAGES=(
  # build
  gcc libc6-dev meson ninja-build pkg-config
  libmbedtls-dev liblz4-dev libssl-dev zlib1g-dev libp11-kit-dev p11-kit libsqlite3-dev
  libusb-1.0-0-dev libhidapi-dev libglib2.0-dev libgtk-4-dev libadwaita-1-dev
  librsvg2-bin   # the app icon PNG sizes, rendered at build time
  libpq-dev
  # tests (postgresql-15: the records tests start their own server)
  libcmocka-dev clang libclang-rt-14-dev valgrind postgresql-15
  softhsm2 opensc openssl jq umockdev libumockdev-dev dfu-util fwupd
  xvfb xauth desktop-file-utils appstream gettext locales stress-ng dbus-daemon
  bash-completion zsh fish   # the generated shell completions, run in each shell
  # firmware port (Cortex-M under QEMU)
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm dpkg-dev
  # bench/compress: the delta formats fwseal's is compared with
  xdelta3 bsdiff
)

fws_log() { printf '==> %s\n' "$*" >&2; }

fws_as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "fwseal: installing packages needs root. Run this script as root or install sudo." >&2
    return 1
  fi
}

# Install the missing packages: apt-get update once, then install; silent when
# everything is there already.
fws_install_deps() {
  local missing=() p
  for p in "${FWS_PACKAGES[@]}"; do
    [ "${p#\#}" = "$p" ] || continue
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  fws_log "installing ${#missing[@]} Debian packages: ${missing[*]}"
  fws_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  fws_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# fws_build DIR [meson options...]: configure once (reconfigure if options
# changed) and build. -Werror in CI (CI=true). Quiet when all is well; on a
# failure, and for every compiler warning, the output is shown.
fws_build() {
  local dir=$1; shift
  local opts=("$@") log
  if [ "${CI:-}" = "true" ]; then opts+=(-Dwerror=true); fi
  log=$(mktemp)
  if [ -f "$dir/build.ninja" ]; then
    meson configure "$dir" "${opts[@]}" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
  else
    meson setup "$dir" "${opts[@]}" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
  fi
  if ! ninja -C "$dir" >"$log" 2>&1; then
    grep -E 'error|warning|FAILED' "$log" >&2 || tail -n 40 "$log" >&2
    rm -f "$log"
    return 1
  fi
  grep -E 'warning:' "$log" >&2 || true
  rm -f "$log"
}
