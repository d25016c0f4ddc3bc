#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# install-icons.sh HICOLOR_DIR APP_ID PNG... - run by `meson install`: each
# PNG rendered at build time (APP_ID-SIZE.png) goes to
# $DESTDIR$prefix/HICOLOR_DIR/SIZExSIZE/apps/APP_ID.png.
set -eu
dir=$1
id=$2
shift 2
case $dir in
/*) root=${DESTDIR:-}$dir ;;
*) root=$MESON_INSTALL_DESTDIR_PREFIX/$dir ;;
esac
for png in "$@"; do
	case $png in /*) ;; *) png=$MESON_BUILD_ROOT/$png ;; esac
	size=${png##*-}
	size=${size%.png}
	mkdir -p "$root/${size}x${size}/apps"
	install -m 0644 "$png" "$root/${size}x${size}/apps/$id.png"
	echo "Installing $png to $root/${size}x${size}/apps/$id.png"
done
