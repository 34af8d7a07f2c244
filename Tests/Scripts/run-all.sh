#!/usr/bin/env bash
# Runs every test Backtrack has, on a fresh machine of this kind: installs what the tests need, checks
# formatting, builds with warnings as errors, runs the Swift test suites (unit, model-based with fixed seeds plus a
# fresh one), proves the committed CHECKSUM TABLE vectors against a real MariaDB, and builds the benchmarks so they
# cannot rot. Exits non-zero when anything fails.
#
# Usage: bash Tests/Scripts/run-all.sh        (the README's test command; .ci/run runs exactly this)
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n== %s\n' "$*"; }

step "Installing what the tests need"
packages=(libsqlite3-dev mariadb-server mariadb-client)
missing=()
for package in "${packages[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "Formatting (swift format lint)"
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Benchmarks \
    Benchmarks/Sources

step "Building and running the Swift tests"
swift build --build-tests
swift test --skip-build

step "CHECKSUM TABLE vectors against a real MariaDB (started and stopped by the script)"
python3 Tests/Scripts/checksum_vectors.py --check

step "Building the benchmarks (run them with: swift package --package-path Benchmarks benchmark)"
swift build --package-path Benchmarks -c release

step "All tests passed"
