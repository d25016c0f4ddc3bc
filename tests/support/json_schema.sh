# SPDX-License-Identifier: Apache-2.0
# tests/support/json_schema.sh - `--json` outputs against docs/json.md
# (sourced after expect.sh; needs jq; JSON_DOC set to docs/json.md).
#
#   json_check SECTION FILE   every leaf of the JSON in FILE is a field of
#                             "### SECTION" with a value of its type
#   json_events FILE          the same for each line of FILE, an event, against
#                             "### event <its event>"

# "section<TAB>field<TAB>type" of every table row
json_schema() {
	awk '
		/^### / { sec = substr($0, 5); next }
		/^## / { sec = ""; next }
		sec != "" && /^\| `/ {
			n = split($0, c, "|")
			f = c[2]; gsub(/[ `]/, "", f)
			t = c[3]; sub(/^ */, "", t); sub(/ *$/, "", t)
			print sec "\t" f "\t" t
		}' "$JSON_DOC"
}

# "path<TAB>kind" of every leaf (kind: null boolean integer number date time
# hex string); array indices are [] and object fields .name
json_leaves() {
	jq -r '
		def kind: if . == null then "null"
			elif type == "boolean" then "boolean"
			elif type == "number" then (if . == floor then "integer" else "number" end)
			elif test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$") then "date"
			elif test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$") then "time"
			elif test("^[0-9a-f]+$") and (length % 2 == 0) then "hex"
			else "string" end;
		paths(scalars) as $p
		| [($p | map(if type == "number" then "[]" else "." + . end) | join("")
		        | ltrimstr(".") | gsub("\\.\\[\\]"; "[]")),
		   (getpath($p) | kind)] | @tsv'
}

# Where a composite row sends its fields (docs/json.md says so in words).
json_alias() { # SECTION FIELD -> sections that describe its fields
	case "$1|$2" in
	"list|devices[]") echo "info" ;;
	"verify|manifest") echo "inspect" ;;
	"event summary|results[]") echo "event done|event error|event skipped" ;;
	esac
}

# json_type_ok DOCTYPE KIND
json_type_ok() {
	local t=$1 k=$2
	case $t in *" or null") [ "$k" = null ] && return 0; t=${t% or null} ;; esac
	case "$t:$k" in
	string:string | string:date | string:time | string:hex) return 0 ;;
	hex:hex | date:date | time:time | boolean:boolean | integer:integer) return 0 ;;
	number:number | number:integer) return 0 ;;
	esac
	return 1
}

# json_field_type SECTION PATH: the documented type, following aliases
json_field_type() {
	local sec=$1 path=$2 t rest s prefix
	t=$(awk -F'\t' -v s="$sec" -v f="$path" '$1 == s && $2 == f { print $3; exit }' "$JSON_SCHEMA_FILE")
	if [ -n "$t" ]; then
		echo "$t"
		return
	fi
	# a composite row: the longest documented prefix with an alias
	for prefix in $(awk -F'\t' -v s="$sec" '$1 == s && $3 == "object" { print $2 }' "$JSON_SCHEMA_FILE"); do
		case $path in "$prefix".*) rest=${path#"$prefix".} ;; *) continue ;; esac
		local IFS='|'
		for s in $(json_alias "$sec" "$prefix"); do
			t=$(awk -F'\t' -v s="$s" -v f="$rest" '$1 == s && $2 == f { print $3; exit }' "$JSON_SCHEMA_FILE")
			if [ -n "$t" ]; then
				echo "$t"
				return
			fi
		done
	done
}

JSON_SCHEMA_FILE=
json_check_text() { # SECTION JSON_TEXT
	local sec=$1 path kind t
	if [ -z "$JSON_SCHEMA_FILE" ]; then
		JSON_SCHEMA_FILE=$(mktemp)
		json_schema >"$JSON_SCHEMA_FILE"
	fi
	checks=$((checks + 1))
	if ! grep -q "^$sec	" "$JSON_SCHEMA_FILE"; then
		fail "docs/json.md has no section '### $sec'"
		return 1
	fi
	while IFS=$'\t' read -r path kind; do
		t=$(json_field_type "$sec" "$path")
		checks=$((checks + 1))
		if [ -z "$t" ]; then
			fail "$sec: field '$path' ($kind) is not in docs/json.md"
		elif ! json_type_ok "$t" "$kind"; then
			fail "$sec: field '$path' is $kind, docs/json.md says $t"
		fi
	done < <(printf '%s' "$2" | json_leaves)
}

json_check() { # SECTION FILE
	json_check_text "$1" "$(cat "$2")"
}

json_events() { # FILE
	local line ev
	while IFS= read -r line; do
		ev=$(printf '%s' "$line" | jq -r '.event')
		json_check_text "event $ev" "$line"
	done <"$1"
}
