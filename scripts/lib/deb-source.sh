# shellcheck shell=sh
# Shared by scripts/fetch-mbedtls-source and scripts/fetch-lz4-source: put
# Debian's own source package (the same version as an installed -dev
# package, Debian patches applied) into a build or cache directory, for the
# firmware build. Third-party source is never copied into the repository.
# Sourced, not executed.

# fws_deb_source NAME SRC_PKG DEV_PKG CHECK_FILE DEST
#   NAME        the calling script's name, for messages
#   SRC_PKG     Debian source package (mbedtls, lz4)
#   DEV_PKG     the binary -dev package whose version to fetch
#   CHECK_FILE  a path inside the unpacked tree that must exist
#   DEST        where the tree goes
# Idempotent: does nothing when DEST already holds that version. On a
# machine without deb-src entries it adds them for the same Debian archive
# the binary packages come from (needs root) and runs apt-get update once.
fws_deb_source() {
	name=$1 src=$2 dev=$3 check=$4 dest=$5

	# Same version as the host library, so host and device run the same code.
	ver=$(dpkg-query -W -f '${Version}' "$dev" 2>/dev/null || true)
	if [ -z "$ver" ]; then
		ver=$(apt-cache policy "$dev" | sed -n 's/^ *Candidate: *//p')
	fi
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		echo "$name: cannot tell which $src version to fetch; install $dev first." >&2
		exit 1
	fi

	stamp="$dest/.fwseal-$src-version"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver" ] && [ -f "$dest/$check" ]; then
		return 0
	fi

	if ! apt-get source --print-uris "$src=$ver" >/dev/null 2>&1; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "$name: apt has no deb-src entries; run this once as root or add deb-src lines for your Debian mirror." >&2
			exit 1
		fi
		# deb-src twins of the configured Debian deb entries (deb822 or
		# one-line format)
		list=/etc/apt/sources.list.d/fwseal-deb-src
		if [ -f /etc/apt/sources.list.d/debian.sources ]; then
			sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$list.sources"
		elif [ -f /etc/apt/sources.list ]; then
			grep -E '^deb[[:space:]]' /etc/apt/sources.list | sed -e 's/^deb[[:space:]]/deb-src /' >"$list.list"
		else
			echo "$name: found no Debian apt source to mirror as deb-src; add a deb-src line for your mirror." >&2
			exit 1
		fi
		apt-get update -qq
	fi
	apt-get source --print-uris "$src=$ver" >/dev/null 2>&1 || {
		echo "$name: apt cannot find the source of $src $ver; check the deb-src entries and run apt-get update." >&2
		exit 1
	}

	parent=$(dirname "$dest")
	mkdir -p "$parent"
	work=$(mktemp -d "$parent/.$src-fetch.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	# apt checks the downloaded files against the signed Sources index.
	(cd "$work" && apt-get source -q "$src=$ver" >apt.log 2>&1) || {
		cat "$work/apt.log" >&2
		echo "$name: apt-get source $src=$ver failed (output above); check network access to the Debian mirror." >&2
		exit 1
	}
	tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$src-*" | head -n 1)
	if [ -z "$tree" ] || [ ! -f "$tree/$check" ]; then
		echo "$name: the unpacked source has no $check; is dpkg-dev installed?" >&2
		exit 1
	fi
	echo "$ver" >"$tree/.fwseal-$src-version"
	rm -rf "$dest"
	mv "$tree" "$dest"
}
