#!/usr/bin/env bash
# The README's test command: installs what is missing (Debian packages, the pinned npm test
# servers), builds twice (normal, and AddressSanitizer + UndefinedBehaviorSanitizer) and runs
# the whole ctest suite in each build. Run as root on Debian 12 from anywhere in the checkout.
#   bash tests/run-all.sh            both builds
#   CW_SKIP_SANITIZE=1 bash tests/run-all.sh   only the normal build (faster, for development)
# A third, clang build runs the libFuzzer targets (label fuzz) for a bounded time each, and a
# fourth, ThreadSanitizer build (-DCW_SANITIZE=thread) the tests labelled `threads` (upload
# threads, credential refresh, the source committer, sink commits, stopping and signals).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash .ci/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
# The sanitizer builds run several times slower: their tests wait CW_TIMEOUT_SCALE times
# longer for the same conditions (tests/lib/common.sh, tests/rest/restlib.py).
run_suite() {
    local dir=$1; shift
    echo "=== build $dir ($*)"
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug "$@" >/dev/null
    cmake --build "$dir" -j"$jobs"
    echo "=== ctest $dir"
    (cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout $((300 * ${CW_TIMEOUT_SCALE:-1})))
}

status=0
run_suite build-test || status=1
# The demo builds with optimisation (RelWithDebInfo), where GCC warns about more (-O2's
# uninitialised and truncation analyses) and -Werror makes that a broken main job: compile it.
echo "=== build build-opt (RelWithDebInfo, compile only: the demo's and benchmarks' flags)"
{ cmake -S . -B build-opt -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    cmake --build build-opt -j"$jobs"; } || status=1
if [ "${CW_SKIP_SANITIZE:-0}" != 1 ]; then
    echo "=== build build-fuzz (clang, libFuzzer targets)"
    cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCW_FUZZ=ON >/dev/null
    cmake --build build-fuzz -j"$jobs" --target fuzz-clean fuzz-props fuzz-json-check
    echo "=== ctest build-fuzz"
    (cd build-fuzz && ctest --output-on-failure -L fuzz -j"$jobs" --timeout 300) || status=1
fi
if [ "${CW_SKIP_SANITIZE:-0}" != 1 ]; then
    # detect_leaks stays on: leaks are bugs. Plugins are unloaded at exit, so keep their
    # symbols for readable reports.
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:fast_unwind_on_malloc=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    export CW_TIMEOUT_SCALE=3
    run_suite build-asan -DCW_SANITIZE=ON || status=1
    unset ASAN_OPTIONS UBSAN_OPTIONS
    # librdkafka's own threads are not instrumented (tests/tsan.supp). Every report goes to a
    # file too, so that one from a process a test killed or whose exit code it does not
    # check still fails the run.
    reports="$top/build-tsan/tsan-reports"
    rm -rf "$reports" && mkdir -p "$reports"
    export TSAN_OPTIONS="suppressions=$top/tests/tsan.supp second_deadlock_stack=1 log_path=$reports/report"
    echo "=== build build-tsan (ThreadSanitizer)"
    cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DCW_SANITIZE=thread >/dev/null
    cmake --build build-tsan -j"$jobs"
    echo "=== ctest build-tsan (label threads)"
    (cd build-tsan && ctest --output-on-failure -L threads -j"$jobs" --timeout 900) || status=1
    if [ -n "$(ls -A "$reports")" ]; then
        cat "$reports"/* >&2
        echo "ThreadSanitizer reports above" >&2
        status=1
    fi
fi
exit $status
