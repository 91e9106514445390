#!/bin/sh
# run_one.sh NAME SECONDS CORPUS: a bounded libFuzzer run of build/NAME on a
# scratch copy of CORPUS, within 2 GB of RSS.  Prints one line; on a crash,
# leak, timeout or failed invariant prints the log's tail and where the
# input is saved (build/artifacts_NAME/), and exits non-zero.
name=$1
seconds=$2
corpus=$3
b=build
rm -rf "$b/corpus_$name" "$b/artifacts_$name"
mkdir -p "$b/corpus_$name" "$b/artifacts_$name"
cp "$corpus"/* "$b/corpus_$name/"
"$b/$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=4096 \
	-print_final_stats=1 -artifact_prefix="$b/artifacts_$name/" $FUZZ_FLAGS \
	"$b/corpus_$name" > "$b/$name.log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$b/$name.log" | tail -n 1)
cov=$(grep -aoE 'cov: [0-9]+' "$b/$name.log" | tail -n 1)
units=$(ls "$b/corpus_$name" | wc -l)
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$b/$name.log"
	echo "$name: exit status $rc; the input is saved in $(cd "$b/artifacts_$name" && pwd)/:"
	ls -l "$b/artifacts_$name"
	exit 1
fi
echo "$name: ${execs:-?} executions in $seconds s, ${cov:-cov: ?} edges, corpus $units inputs"
