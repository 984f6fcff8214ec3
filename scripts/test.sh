#!/bin/sh
# SPDX-License-Identifier: MIT
# Build and run the whole test suite: unit (cmocka) and CLI tests on a
# release build (with the valgrind groups: every bad input, run, render and the
# other commands under memcheck), the same suites under AddressSanitizer +
# UndefinedBehaviorSanitizer, and a short libFuzzer run of every parser
# (FUZZ_SECONDS each, default 15; skipped with a message without clang and
# libFuzzer). docs/reliability.md describes the long fuzz campaign. Installs
# missing Debian packages first.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc 2>/dev/null || echo 2)

echo "== release build"
[ -f build-test/build.ninja ] || meson setup build-test --buildtype=release >/dev/null
meson compile -C build-test >/dev/null
meson test -C build-test --print-errorlogs --num-processes "$jobs"

echo "== ASan + UBSan build"
[ -f build-san/build.ninja ] || meson setup build-san --buildtype=debug \
  -Db_sanitize=address,undefined -Db_lundef=false \
  -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all >/dev/null
meson compile -C build-san >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  meson test -C build-san --print-errorlogs --num-processes "$jobs" --no-suite slow \
  --no-suite qemu --no-suite rt --no-suite tflm \
  --timeout-multiplier 3 # sanitized code runs 2-3x slower (and the machine may be shared)
# (left out under the sanitizers: the Cortex-M runs under QEMU, whose code is not the host's,
# and the whole-model runtime and TFLM-arena checks, which test_rt, test_exec_schedule and
# test_tflm_arena cover in this build; the release build above runs them all)

echo "== fuzz: every parser for ${FUZZ_SECONDS:-15} s"
FUZZ_RUNS= FUZZ_SECONDS=${FUZZ_SECONDS:-15} scripts/fuzz.sh
echo "== all tests passed"
