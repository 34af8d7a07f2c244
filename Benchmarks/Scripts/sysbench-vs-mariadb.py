#!/usr/bin/env python3
"""sysbench against `backtrack serve`, and, when mariadb-server is installed, against a private MariaDB in the
same run: prepare, oltp_write_only with 1 and 4 threads, CHECKSUM TABLE. Prints medians and ratios.

Usage: python3 Benchmarks/Scripts/sysbench-vs-mariadb.py [--table-size 1000000] [--time 20] [--repeat 3]
       [--mariadb-transport tcp|socket]   (tcp by default: the transport sysbench uses for backtrack serve)
It builds backtrack in release mode first. It installs nothing: without mariadbd it measures Backtrack alone and
says what to install (apt-get install mariadb-server)."""
import argparse, os, re, shutil, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Scripts"))
from serve import Serve, free_port  # noqa: E402

USER, PASSWORD, DB = "masteruser", "Password1", "mylab"
LATIN1_TABLE = ("CREATE TABLE sbtest1_latin1 (id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, "
                "c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id)) "
                "DEFAULT CHARSET=latin1")


def sysbench(host, port, size, *args, socket=None):
    target = [f"--mysql-socket={socket}"] if socket else [f"--mysql-host={host}", f"--mysql-port={port}"]
    command = ["sysbench", "oltp_write_only", *target, f"--mysql-user={USER}", f"--mysql-password={PASSWORD}",
               "--tables=1", f"--mysql-db={DB}", f"--table-size={size}", *args]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"sysbench {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def mysql(host, port, sql, socket=None):
    target = [f"--socket={socket}"] if socket else ["-h", host, "-P", str(port)]
    start = time.perf_counter()
    out = subprocess.run(["mysql", *target, "-u", USER, f"-p{PASSWORD}", "-N", "-B", DB], input=sql,
                         capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, out.strip()


def measure(name, host, port, args, socket=None):
    print(f"\n== {name}", flush=True)
    results = {}
    elapsed, _ = sysbench(host, port, args.table_size, "prepare", socket=socket)
    results["prepare s"] = elapsed
    print(f"prepare {args.table_size} rows: {elapsed:.2f} s", flush=True)
    for threads in (1, 4):
        runs = []
        for _ in range(args.repeat):
            _, out = sysbench(host, port, args.table_size, f"--threads={threads}", f"--time={args.time}", "run",
                              socket=socket)
            tps = float(re.search(r"transactions:\s+\d+\s+\(([\d.]+) per sec", out).group(1))
            errors = int(re.search(r"ignored errors:\s+(\d+)", out).group(1))
            runs.append(tps)
            print(f"run --threads={threads}: {tps:.0f} tps, {errors} ignored errors", flush=True)
        results[f"tps {threads} thread(s)"] = statistics.median(runs)
    checksums = [mysql(host, port, "CHECKSUM TABLE sbtest1", socket=socket)[0] for _ in range(args.repeat)]
    results["checksum s"] = statistics.median(checksums)
    print(f"checksum: {results['checksum s']:.3f} s", flush=True)
    # The same rows in a latin1 table: the charset the SQLite issue's CHECKSUM target names.
    mysql(host, port, f"{LATIN1_TABLE}; INSERT INTO sbtest1_latin1 SELECT * FROM sbtest1", socket=socket)
    checksums = [mysql(host, port, "CHECKSUM TABLE sbtest1_latin1", socket=socket)[0] for _ in range(args.repeat)]
    results["checksum latin1 s"] = statistics.median(checksums)
    print(f"checksum latin1: {results['checksum latin1 s']:.3f} s", flush=True)
    mysql(host, port, "DROP TABLE sbtest1_latin1", socket=socket)
    sysbench(host, port, args.table_size, "cleanup", socket=socket)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table-size", type=int, default=1_000_000)
    parser.add_argument("--time", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mariadb-transport", choices=["tcp", "socket"], default="tcp",
                        help="how sysbench reaches MariaDB: tcp (127.0.0.1, as it reaches backtrack serve) or "
                             "its Unix socket (faster; backtrack serve has no socket listener)")
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", "release", "--product", "backtrack"], cwd=ROOT, check=True)
    os.environ["BACKTRACK_BIN"] = os.path.join(ROOT, ".build", "release", "backtrack")
    port = free_port()
    serve = Serve("--cluster", "bench", "--endpoints", "ports", "--mysql-port", str(port), "--rds-port",
                  str(free_port()))
    print(f"serving with {os.environ['BACKTRACK_BIN']}")
    try:
        ours = measure("Backtrack (backtrack serve, release)", "127.0.0.1", port, args)
    finally:
        serve.stop()
    theirs = None
    if shutil.which("mariadbd"):
        from checksum_vectors import MariaDB
        tcp = args.mariadb_transport == "tcp"
        server = MariaDB(port=free_port() if tcp else None)
        try:
            host = "127.0.0.1" if tcp else "localhost"
            server.query(f"CREATE DATABASE {DB}; CREATE USER '{USER}'@'{host}' IDENTIFIED BY '{PASSWORD}'; "
                         f"GRANT ALL ON {DB}.* TO '{USER}'@'{host}';")
            name = f"MariaDB (same machine, same run, {'TCP' if tcp else 'Unix socket'})"
            if tcp:
                theirs = measure(name, "127.0.0.1", server.port, args)
            else:
                theirs = measure(name, None, None, args, socket=server.socket)
        finally:
            server.stop()
    else:
        print("\nmariadbd is not installed: apt-get install mariadb-server to compare in the same run.")
    print("\n| measure | Backtrack | MariaDB | ratio |\n| --- | --- | --- | --- |")
    for key, value in ours.items():
        other = theirs.get(key) if theirs else None
        ratio = f"{value / other:.2f}×" if other else "-"
        print(f"| {key} | {value:.2f} | {other:.2f} | {ratio} |" if other else f"| {key} | {value:.2f} | - | - |")


if __name__ == "__main__":
    main()
