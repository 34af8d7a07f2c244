#!/usr/bin/env python3
"""CHECKSUM TABLE vectors from a real MariaDB.

Starts a private mariadbd (Debian's mariadb-server) on a Unix socket in a temporary directory, loads each case's
table, records MariaDB's CHECKSUM TABLE value, and writes the vectors that the SQLFacade unit tests replay
without MariaDB. With --check it compares a fresh run against the committed file instead and fails on any
difference, so CI proves the committed vectors are MariaDB's.

Usage: python3 Tests/Scripts/checksum_vectors.py [--check] [--out FILE]
"""
import json, os, shutil, subprocess, sys, tempfile, time, argparse, random

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "SQLFacadeTests", "Resources", "checksum-vectors.json")


def sysbench_rows(count, seed):
    rng = random.Random(seed)
    def digits(groups):
        return "-".join("".join(str(rng.randint(0, 9)) for _ in range(11)) for _ in range(groups))
    return [f"({rng.randint(1, 1000)}, '{digits(10)}', '{digits(5)}')" for _ in range(count)]


def cases():
    out = []
    sysbench = ("(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, "
                "c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))")
    rows = sysbench_rows(10, 1)
    for charset, clause in [("default", ""), ("latin1", " DEFAULT CHARSET=latin1"),
                            ("utf8mb3", " DEFAULT CHARSET=utf8mb3"), ("utf8mb4", " CHARSET utf8mb4")]:
        out.append({"name": f"sysbench_{charset}",
                    "ddl": f"CREATE TABLE t {sysbench} /*! ENGINE = innodb */{clause}",
                    "inserts": ["INSERT INTO t(k, c, pad) VALUES " + ",".join(rows)]})
    out.append({"name": "sysbench_empty", "ddl": f"CREATE TABLE t {sysbench}", "inserts": []})
    out.append({"name": "nullable_latin1",
                "ddl": "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, k INT NULL, c CHAR(10) NULL, pad CHAR(5) NULL) "
                       "DEFAULT CHARSET=latin1",
                "inserts": ["INSERT INTO t VALUES (1, NULL, 'a', 'b'), (2, 5, NULL, 'x'), (3, NULL, NULL, NULL), "
                            "(4, -7, 'abc', '')"]})
    for charset in ["latin1", "utf8mb3", "utf8mb4"]:
        text = "'caf\u00e9'" if charset != "utf8mb4" else "'caf\u00e9 \u65e5\u672c \U0001F600'"
        out.append({"name": f"varchar_text_{charset}",
                    "ddl": f"CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20), t TEXT, c CHAR(8) NOT NULL DEFAULT '') "
                           f"DEFAULT CHARSET={charset}",
                    "inserts": [f"INSERT INTO t VALUES (1, {text}, 'long text', 'x'), (2, NULL, NULL, ''), "
                                f"(3, '', '', {text if charset != 'utf8mb4' else chr(39) + 'ab' + chr(39)})"]})
    out.append({"name": "varchar_not_null",
                "ddl": "CREATE TABLE t (id INT NOT NULL, v VARCHAR(30) NOT NULL) DEFAULT CHARSET=latin1",
                "inserts": ["INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, '')"]})
    out.append({"name": "integers",
                "ddl": "CREATE TABLE t (a TINYINT, b SMALLINT, c MEDIUMINT, d INT, e BIGINT, "
                       "f TINYINT UNSIGNED, g INT UNSIGNED, h BIGINT UNSIGNED)",
                "inserts": ["INSERT INTO t VALUES (-1, -300, -70000, -2000000000, -9000000000000000000, 255, "
                            "4000000000, 18000000000000000000), (1, 2, 3, 4, 5, 6, 7, 8), "
                            "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"]})
    out.append({"name": "floating",
                "ddl": "CREATE TABLE t (id INT NOT NULL, d DOUBLE, f FLOAT)",
                "inserts": ["INSERT INTO t VALUES (1, 1.5, 2.25), (2, -0.1, 3.0), (3, NULL, NULL), (4, 1e300, -1e30)"]})
    out.append({"name": "dates",
                "ddl": "CREATE TABLE t (id INT NOT NULL, d DATE, dt DATETIME)",
                "inserts": ["INSERT INTO t VALUES (1, '2026-11-21', '2026-11-21 10:00:00'), "
                            "(2, '1999-01-31', '2000-02-29 23:59:59'), (3, NULL, NULL)"]})
    out.append({"name": "decimal",
                "ddl": "CREATE TABLE t (id INT NOT NULL, v DECIMAL(10,2), w DECIMAL(20,6))",
                "inserts": ["INSERT INTO t VALUES (1, 12345678.90, -123456.789012), (2, -0.05, 0), (3, NULL, 1.5)"]})
    return out


class MariaDB:
    """A private mariadbd on a Unix socket, and on 127.0.0.1:port too when a port is given."""

    def __init__(self, port=None):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="backtrack-mariadb-")
        self.socket = os.path.join(self.dir, "mysqld.sock")
        data = os.path.join(self.dir, "data")
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={data}", f"--socket={self.socket}",
             *([f"--port={port}", "--bind-address=127.0.0.1"] if port else ["--skip-networking"]),
             "--user=root", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
             "--default-time-zone=+00:00", f"--pid-file={os.path.join(self.dir, 'pid')}",
             f"--log-error={os.path.join(self.dir, 'error.log')}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            if self.query("SELECT 1", check=False) is not None:
                return
            time.sleep(0.1)
        raise SystemExit("mariadbd did not start: " + open(os.path.join(self.dir, "error.log")).read()[-2000:])

    def query(self, sql, database=None, check=True):
        args = ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-N", "-B",
                "--default-character-set=utf8mb4"]
        if database:
            args.append(database)
        result = subprocess.run(args, input=sql, capture_output=True, text=True)
        if result.returncode != 0:
            if check:
                raise SystemExit(f"mariadb failed on {sql[:200]!r}: {result.stderr}")
            return None
        return result.stdout

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


def measure():
    server = MariaDB()
    try:
        version = server.query("SELECT VERSION()").strip()
        vectors = []
        for case in cases():
            server.query("DROP DATABASE IF EXISTS v; CREATE DATABASE v")
            server.query(";\n".join([case["ddl"]] + case["inserts"]), database="v")
            out = server.query("CHECKSUM TABLE t", database="v").strip().split("\t")
            vectors.append(dict(case, checksum=None if out[1] == "NULL" else int(out[1])))
        return {"mariadb": version, "vectors": vectors}
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--out", default=DEFAULT_OUT)
    options = parser.parse_args()
    fresh = measure()
    if options.check:
        committed = json.load(open(options.out))
        if committed["vectors"] != fresh["vectors"]:
            for a, b in zip(committed["vectors"], fresh["vectors"]):
                if a != b:
                    print(f"differs: {a['name']}: committed {a.get('checksum')} MariaDB {b.get('checksum')}")
            raise SystemExit("checksum vectors differ from MariaDB's")
        print(f"{len(fresh['vectors'])} checksum vectors match MariaDB {fresh['mariadb']}")
        return
    with open(options.out, "w") as f:
        json.dump(fresh, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(fresh['vectors'])} vectors from MariaDB {fresh['mariadb']} to {options.out}")


if __name__ == "__main__":
    main()
