#!/bin/sh
# paste_model.sh MODEL.inc realism.c: replaces the text between the
# "BEGIN MODEL" and "END MODEL" markers of realism.c with MODEL.inc.
set -e
model=$1
target=$2
awk -v model="$model" '
/\/\* BEGIN MODEL \*\// { print; while ((getline line < model) > 0) print line; skip = 1; next }
/\/\* END MODEL \*\// { skip = 0 }
!skip { print }
' "$target" > "$target.tmp"
mv "$target.tmp" "$target"
