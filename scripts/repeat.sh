#!/usr/bin/env bash
# Runs test files several times in a row, as a timing-sensitive change must pass before it is
# trusted (CI runs each file once): `npm run test:repeat -- <files or folders> [times, default 5]`.
# Every run goes to the end; the summary says which runs failed, and the exit is non-zero if any did.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

args=("$@")
times=5
if [ ${#args[@]} -gt 0 ] && [[ ${args[-1]} =~ ^[0-9]+$ ]]; then
    times=${args[-1]}
    unset 'args[-1]'
fi
if [ ${#args[@]} -eq 0 ] || [ "$times" -lt 1 ]; then
    echo "usage: npm run test:repeat -- <test files or folders> [times]" >&2
    exit 2
fi

log_dir=$(mktemp -d /tmp/hardened-redis-repeat.XXXXXX)
failed=()
for run in $(seq 1 "$times"); do
    start=$(date +%s)
    if npx vitest run "${args[@]}" >"$log_dir/run-$run.log" 2>&1; then outcome=passed; else outcome=FAILED; failed+=("$run"); fi
    echo "run $run of $times: $outcome in $(($(date +%s) - start)) s, $(grep -E '^vitest: ' "$log_dir/run-$run.log" | tail -1) (log: $log_dir/run-$run.log)"
done
echo "test:repeat: $((times - ${#failed[@]})) of $times runs green over ${args[*]}${failed[*]:+; failed: runs ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
