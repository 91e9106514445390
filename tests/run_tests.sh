#!/usr/bin/env bash
# The whole test suite, run by ./run.sh test against the scratch cluster it
# set up (PGHOST/PGPORT/PGUSER in the environment).  Prints one closing line
# "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/${PGVER:-15}/bin/pg_config}
passed=0
failed=0

step() {	# step NAME COMMAND...: counts the step, keeps going on failure
	local name=$1; shift
	printf '\n== %s\n' "$name"
	if "$@"; then passed=$((passed + 1)); echo "ok: $name"
	else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

regress() {
	make -s PG_CONFIG="$PG_CONFIG" installcheck || { cat regression.diffs 2>/dev/null | head -n 300; return 1; }
}

step "C unit tests (no PostgreSQL)" make -s -C tests/unit run
step "fuzz: geometry decoder (bounded)" make -s -C tests/fuzz run
step "pg_regress" regress
for t in tests/t/*.sh; do
	[ -e "$t" ] || continue
	step "$(basename "$t" .sh)" bash "$t"
done

printf '\ntests: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
