#!/usr/bin/env bash
# The whole test suite, run by ./run.sh test against the scratch cluster it
# set up (PGHOST/PGPORT/PGUSER in the environment).  Each step's own counts
# (unit tests, fuzz targets, pg_regress tests, scripts in tests/t) are added
# up into one closing line "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/${PGVER:-15}/bin/pg_config}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# step NAME COMMAND...: runs it, prints its output, adds its counts; a step
# that fails without saying how many of its tests failed counts as one failure
step() {
	local name=$1; shift
	printf '\n== %s\n' "$name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]} p=0 f=0 line
	if line=$(grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1); then
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")
	elif line=$(grep -E 'All [0-9]+ tests passed' "$log"); then
		p=$(grep -oE '[0-9]+' <<<"$line" | head -n 1)
	elif line=$(grep -E '[0-9]+ of [0-9]+ tests failed' "$log"); then
		f=$(grep -oE '[0-9]+' <<<"$line" | head -n 1)
		p=$(( $(grep -oE '[0-9]+' <<<"$line" | sed -n 2p) - f ))
	elif [ "$rc" -eq 0 ]; then
		p=1
	fi
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$rc" -eq 0 ]; then echo "ok: $name"; else echo "FAILED: $name"; fi
}

regress() {
	make -s PG_CONFIG="$PG_CONFIG" installcheck || { head -n 300 regression.diffs 2>/dev/null; return 1; }
}

step "C unit tests (no PostgreSQL)" make -s -C tests/unit run
step "fuzz targets (bounded)" make -s -C tests/fuzz run
step "pg_regress" regress
for t in tests/t/*.sh; do
	[ -e "$t" ] || continue
	step "$(basename "$t" .sh)" bash "$t"
done

printf '\ntests: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
