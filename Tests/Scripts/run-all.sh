#!/usr/bin/env bash
# Runs every test Backtrack has, on a fresh machine of this kind: installs what the tests need, checks
# formatting, builds with warnings as errors, runs the Swift test suites (unit, model-based with fixed seeds plus a
# fresh one, `lab` at a small size), proves the committed CHECKSUM TABLE vectors against a real MariaDB, runs the
# end-to-end tests with real clients against `backtrack serve` (the mysql client in a terminal and piped, sysbench,
# PyMySQL, the aws CLI and boto3), and builds the benchmarks so they cannot rot. Exits non-zero when anything fails.
#
# Usage: bash Tests/Scripts/run-all.sh        (the README's test command; .ci/run runs exactly this)
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n== %s\n' "$*"; }

step "Installing what the tests need"
packages=(libsqlite3-dev mariadb-server mariadb-client sysbench tmux jq)
missing=()
for package in "${packages[@]}"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

install_python() {  # PyPI packages, into a Debian-managed Python too
    python3 -m pip install -q --disable-pip-version-check "$@" 2>/dev/null ||
        python3 -m pip install -q --disable-pip-version-check --break-system-packages "$@"
}
python3 -c "import pymysql" 2>/dev/null || install_python pymysql
python3 -c "import boto3" 2>/dev/null || install_python boto3
command -v aws >/dev/null || install_python awscli

step "Formatting (swift format lint)"
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Benchmarks \
    Benchmarks/Sources

step "Building and running the Swift tests"
swift build --build-tests
swift test --skip-build

step "CHECKSUM TABLE vectors against a real MariaDB (started and stopped by the script)"
python3 Tests/Scripts/checksum_vectors.py --check

step "End-to-end: the MySQL endpoint with real clients (backtrack serve started and stopped by the tests)"
python3 Tests/EndToEnd/test_mysql_endpoint.py

step "End-to-end: the workshop with the aws CLI, mysql and sysbench; the RDS API through boto3"
python3 Tests/EndToEnd/test_workshop.py

step "End-to-end: backtrack bench at a tiny size, with its MariaDB baselines (bench starts its own mariadbd)"
python3 Tests/EndToEnd/test_bench.py

step "Building the benchmarks (run them with: swift package --package-path Benchmarks benchmark)"
swift build --package-path Benchmarks -c release

step "All tests passed"
