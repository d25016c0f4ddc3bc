#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `meson install` of this build into a staging folder (issue 15): the CLI and
# the app in bin/, the simulator only under libexec/fwseal/ (unless
# -Dsimulator=true), the udev rule inside the prefix (or udev's own folder
# for /usr), the three shell completions where the shells look, the three
# man pages, and the app icon as PNG in every size it is drawn at, each
# exactly that many pixels square.
# Usage: test_install.sh BUILD_DIR PREFIX SIMULATOR_IN_BIN(true|false) GUI(true|false)
set -u
SUPPORT=$(cd "$(dirname "$0")/../support" && pwd)
BUILD=$(realpath "$1")
PREFIX=$2
SIM_IN_BIN=$3
GUI=$4
T=$(mktemp -d /tmp/fwseal-inst-XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
. "$SUPPORT/expect.sh"

expect 0 meson install -C "$BUILD" --no-rebuild --destdir "$T/root" --quiet
R=$T/root$PREFIX
present() { checks=$((checks + 1)); [ -e "$R/$1" ] || fail "not installed: $PREFIX/$1"; }
absent() { checks=$((checks + 1)); [ ! -e "$R/$1" ] || fail "installed, but should not be: $PREFIX/$1"; }

present bin/fwseal
if [ "$SIM_IN_BIN" = true ]; then
	present bin/fwseal-sim
else
	absent bin/fwseal-sim
	present libexec/fwseal/fwseal-sim
fi
present share/man/man1/fwseal.1
present share/man/man1/fwseal-sim.1
present share/bash-completion/completions/fwseal.bash
present share/zsh/vendor-completions/_fwseal
present share/fish/vendor_completions.d/fwseal.fish
# the udev rule stays inside the prefix unless it is /usr
if [ "$PREFIX" = /usr ]; then
	checks=$((checks + 1))
	ls "$T"/root/*/udev/rules.d/70-fwseal.rules "$T"/root/usr/lib/udev/rules.d/70-fwseal.rules >/dev/null 2>&1 ||
		fail "the udev rule is not in udev's folder"
else
	present lib/udev/rules.d/70-fwseal.rules
	checks=$((checks + 1))
	[ "$(find "$T/root" -name 70-fwseal.rules | wc -l)" = 1 ] && [ ! -e "$T/root/lib/udev" ] ||
		fail "the udev rule went outside $PREFIX: $(find "$T/root" -name 70-fwseal.rules)"
fi
# the installed completions are the ones this fwseal writes
for sh in bash zsh fish; do
	case $sh in bash) f=bash-completion/completions/fwseal.bash ;; zsh) f=zsh/vendor-completions/_fwseal ;; fish) f=fish/vendor_completions.d/fwseal.fish ;; esac
	checks=$((checks + 1))
	"$R/bin/fwseal" completion "$sh" | cmp -s - "$R/share/$f" || fail "installed $sh completion differs from 'fwseal completion $sh'"
done

if [ "$GUI" = true ]; then
	present bin/fwseal-gui
	present share/man/man1/fwseal-gui.1
	present share/icons/hicolor/scalable/apps/io.github.fwseal.Fwseal.svg
	for s in 16 24 32 48 64 128 256 512; do
		png=share/icons/hicolor/${s}x${s}/apps/io.github.fwseal.Fwseal.png
		present "$png"
		# PNG: 8-byte signature, IHDR length and type, then width and height (big endian)
		checks=$((checks + 1))
		sig=$(od -An -tx1 -N8 "$R/$png" | tr -d ' \n')
		w=$(od -An -tu1 -j16 -N4 "$R/$png" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
		h=$(od -An -tu1 -j20 -N4 "$R/$png" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
		[ "$sig" = 89504e470d0a1a0a ] && [ "$w" = "$s" ] && [ "$h" = "$s" ] ||
			fail "$png is not a ${s}x${s} PNG (signature $sig, ${w}x${h})"
	done
fi
expect_summary
