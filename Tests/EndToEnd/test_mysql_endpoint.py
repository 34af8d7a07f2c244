"""End-to-end tests of the MySQL endpoint with real clients: the `mysql` client (MariaDB's, from Debian), sysbench
1.0.20 and PyMySQL, against `backtrack serve`. Run by Tests/Scripts/run-all.sh, which installs the clients."""
import os, re, shutil, socket, struct, subprocess, sys, time, unittest

import pymysql

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Scripts"))
from serve import Serve, binary, free_port  # noqa: E402
from checksum_vectors import MariaDB  # noqa: E402

USER, PASSWORD, DB = "masteruser", "Password1", "mylab"


class MySQLEndpointTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port(("127.0.0.2", "127.0.0.3", "127.0.0.4"))
        # One cluster per family of tests, so that their tables never meet: 127.0.0.2, .3 and .4.
        cls.serve = Serve("--cluster", "labstack-cluster", "--cluster", "sysbench", "--cluster", "piped",
                          "--mysql-port", str(cls.port), "--max-connections", "20")
        cls.host = "127.0.0.2"

    @classmethod
    def tearDownClass(cls):
        code = cls.serve.stop()
        assert code == 0, f"serve exited {code}:\n" + "\n".join(cls.serve.lines)

    def mysql(self, sql, *extra, host=None, check=True):
        args = ["mysql", "-h", host or self.host, "-P", str(self.port), "-u", USER, f"-p{PASSWORD}", *extra, DB]
        result = subprocess.run(args, input=sql, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            self.fail(f"mysql failed: {result.stderr}")
        return result

    def sysbench(self, *command, table_size=1000, host=None):
        args = ["sysbench", "oltp_write_only", "--threads=1", f"--mysql-host={host or self.host}",
                f"--mysql-user={USER}", f"--mysql-password={PASSWORD}", f"--mysql-port={self.port}", "--tables=1",
                f"--mysql-db={DB}", f"--table-size={table_size}", *command]
        return subprocess.run(args, capture_output=True, text=True, timeout=120)

    def connect(self, **kw):
        options = dict(host=self.host, port=self.port, user=USER, password=PASSWORD, database=DB)
        options.update(kw)
        return pymysql.connect(**options)

    # The workshop's clients

    def test_sysbench_prepare_run_cleanup(self):
        host = "127.0.0.3"  # the second cluster, so the other tests' tables are not in the way
        prepare = self.sysbench("prepare", table_size=2000, host=host)
        self.assertEqual(prepare.returncode, 0, prepare.stderr + prepare.stdout)
        self.assertIn("Inserting 2000 records into 'sbtest1'", prepare.stdout)
        count = self.mysql("SELECT COUNT(*), MIN(id), MAX(id) FROM sbtest1", "-N", "-B", host=host).stdout.split()
        self.assertEqual(count, ["2000", "1", "2000"])
        run = self.sysbench("--time=5", "run", table_size=2000, host=host)
        self.assertEqual(run.returncode, 0, run.stderr + run.stdout)
        transactions = int(re.search(r"transactions:\s+(\d+)", run.stdout).group(1))
        self.assertGreater(transactions, 0)
        self.assertIn("ignored errors:                      0", run.stdout)
        # oltp_write_only deletes and re-inserts the same id: the row count is unchanged, the data is not.
        after = self.mysql("SELECT COUNT(*) FROM sbtest1; checksum table sbtest1", "-N", "-B", host=host).stdout.split()
        self.assertEqual(after[0], "2000")
        cleanup = self.sysbench("cleanup", host=host)
        self.assertEqual(cleanup.returncode, 0, cleanup.stderr)
        self.assertIn("Dropping table 'sbtest1'", cleanup.stdout)
        tables = self.mysql("show tables", "-N", "-B", host=host).stdout.split()
        self.assertNotIn("sbtest1", tables)

    def test_piped_workshop_statements_print_what_mariadb_prints(self):
        rows = [(i, (i * 7919) % 1000 + 1, f"{i:011d}-" * 9 + f"{i:011d}", f"{i * 3:011d}-" * 4 + f"{i:011d}")
                for i in range(1, 201)]
        values = ",".join(f"({k}, '{c}', '{pad}')" for _, k, c, pad in rows)
        create = ("CREATE TABLE sbtest1(\n  id INTEGER NOT NULL AUTO_INCREMENT,\n  k INTEGER DEFAULT '0' NOT NULL,\n"
                  "  c CHAR(120) DEFAULT '' NOT NULL,\n  pad CHAR(60) DEFAULT '' NOT NULL,\n  PRIMARY KEY (id)\n"
                  ") /*! ENGINE = innodb */ ")
        setup = f"{create};\nINSERT INTO sbtest1(k, c, pad) VALUES{values};\nCREATE INDEX k_1 ON sbtest1(k);\n"
        script = ("SELECT current_timestamp();\nshow tables;\nchecksum table sbtest1;\nDROP TABLE sbtest1;\n"
                  "show tables;\nchecksum table sbtest1;\nshow warnings;\nquit\n")
        self.mysql(setup, host="127.0.0.4")
        ours = self.mysql(script, "-t", host="127.0.0.4").stdout
        mariadb = MariaDB()
        try:
            mariadb.query(f"CREATE DATABASE {DB}")
            mariadb.query(setup, database=DB)
            args = ["mariadb", "--no-defaults", f"--socket={mariadb.socket}", "-uroot", "-t", DB]
            theirs = subprocess.run(args, input=script, capture_output=True, text=True, timeout=60).stdout
        finally:
            mariadb.stop()
        stamp = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
        self.assertEqual(stamp.sub("<time>", ours), stamp.sub("<time>", theirs))
        self.assertIn("| Error | 1146 | Table 'mylab.sbtest1' doesn't exist |", ours)

    def test_interactive_session_through_a_terminal(self):
        if not shutil.which("tmux"):
            self.fail("tmux is not installed")
        self.mysql("CREATE TABLE IF NOT EXISTS tty (id INT PRIMARY KEY); INSERT IGNORE INTO tty VALUES (1)")
        name = f"backtrack-e2e-{os.getpid()}"
        # The shell keeps the pane open after the client exits, so that its last lines can be read.
        command = f"mysql -h {self.host} -P {self.port} -u {USER} -p{PASSWORD} {DB}; sleep 60"
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "200", "-y", "60", command], check=True)
        try:
            screen = self.wait_for_screen(name, "MySQL [mylab]>")
            self.assertIn("Server version: 8.0.32-Backtrack", screen)
            for line in ["SELECT current_timestamp();", "checksum table tty;", "SELECT * FROM nosuch;", "quit"]:
                # tmux takes an argument's trailing ";" as its own command separator unless escaped.
                literal = line[:-1] + "\\;" if line.endswith(";") else line
                subprocess.run(["tmux", "send-keys", "-t", name, "-l", literal], check=True)
                subprocess.run(["tmux", "send-keys", "-t", name, "Enter"], check=True)
                time.sleep(0.3)
            screen = self.wait_for_screen(name, "Bye")
        finally:
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
        self.assertRegex(screen, r"\| current_timestamp\(\) \|")
        self.assertIn("| mylab.tty |", screen)
        self.assertIn("ERROR 1146 (42S02): Table 'mylab.nosuch' doesn't exist", screen)
        self.assertNotIn("ERROR 1047", screen)  # the startup commands (show tables, field list) were understood

    def wait_for_screen(self, name, text, timeout=20):
        deadline = time.time() + timeout
        screen = ""
        while time.time() < deadline:
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", name, "-S", "-200"], capture_output=True,
                                    text=True).stdout
            if text in screen:
                return screen
            time.sleep(0.1)
        self.fail(f"{text!r} never appeared:\n{screen}")

    # A Python driver

    def test_python_driver_queries_transactions_and_errors(self):
        with self.connect() as db, db.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS accounts")
            cursor.execute("CREATE TABLE accounts (id INT PRIMARY KEY, owner VARCHAR(20), balance DECIMAL(10,2))")
            cursor.executemany("INSERT INTO accounts VALUES (%s, %s, %s)", [(1, "ann", "10.50"), (2, "o'hara", "3")])
            db.commit()
            cursor.execute("SELECT owner, balance FROM accounts WHERE id = %s", (2,))
            self.assertEqual(cursor.fetchall(), (("o'hara", 3),))
            db.begin()
            cursor.execute("UPDATE accounts SET balance = balance - 1 WHERE id = 1")
            db.rollback()
            cursor.execute("SELECT balance FROM accounts WHERE id = 1")
            self.assertEqual(float(cursor.fetchone()[0]), 10.5)
            for sql, code in [("INSERT INTO accounts VALUES (1, 'x', 0)", 1062), ("SELECT * FROM nosuch", 1146),
                              ("SELEC 1", 1064), ("DROP TABLE nosuch", 1051)]:
                with self.assertRaises(pymysql.MySQLError) as caught:
                    cursor.execute(sql)
                self.assertEqual(caught.exception.args[0], code, sql)
            cursor.execute("SELECT COUNT(*) FROM accounts")  # the session survived every error
            self.assertEqual(cursor.fetchone()[0], 2)

    def test_a_client_that_vanishes_mid_transaction_leaves_no_row_and_no_lock(self):
        # A test process killed inside a transaction closes its socket without COM_QUIT: by a reset, or by a plain
        # close. Its transaction is rolled back and the write lock is free at once, not after the busy timeout (5 s).
        with self.connect(autocommit=True) as db, db.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS vanishing")
            cursor.execute("CREATE TABLE vanishing (id INT PRIMARY KEY, note VARCHAR(20))")
            for number, how in enumerate(("reset", "close"), start=1):
                lost = self.connect()
                with lost.cursor() as other:
                    other.execute("BEGIN")
                    other.execute("INSERT INTO vanishing VALUES (%s, 'lost')", (number,))
                sock = lost._sock
                if how == "reset":
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    sock.shutdown(socket.SHUT_RDWR)
                lost._rfile.close()  # PyMySQL's reader holds the descriptor: without this, nothing is closed
                sock.close()
                started = time.monotonic()
                cursor.execute("INSERT INTO vanishing VALUES (%s, %s)", (10 + number, f"after {how}"))
                self.assertLess(time.monotonic() - started, 2.0, f"the lock outlived a client's {how}")
            cursor.execute("SELECT id, note FROM vanishing ORDER BY id")
            self.assertEqual(cursor.fetchall(), ((11, "after reset"), (12, "after close")))

    def test_login_errors(self):
        for options, code in [(dict(password="wrong"), 1045), (dict(user="root"), 1045), (dict(database="nodb"), 1049)]:
            with self.assertRaises(pymysql.MySQLError) as caught:
                self.connect(**options)
            self.assertEqual(caught.exception.args[0], code, options)

    def test_payloads_over_16_mib_cross_packet_boundaries(self):
        big = "x" * (17 * 1024 * 1024)
        with self.connect(max_allowed_packet=64 * 1024 * 1024) as db, db.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS blobs (id INT PRIMARY KEY, body LONGTEXT)")
            cursor.execute("REPLACE INTO blobs VALUES (1, %s)", (big,))
            db.commit()
            cursor.execute("SELECT body FROM blobs WHERE id = 1")
            self.assertEqual(len(cursor.fetchone()[0]), len(big))

    # Bad input never wedges the server

    def raw(self):
        sock = socket.create_connection((self.host, self.port), timeout=10)
        greeting = self.read_packet(sock)
        self.assertEqual(greeting[1][0], 10)
        return sock

    @staticmethod
    def read_packet(sock):
        header = b""
        while len(header) < 4:
            chunk = sock.recv(4 - len(header))
            if not chunk:
                return None
            header += chunk
        length = header[0] | header[1] << 8 | header[2] << 16
        body = b""
        while len(body) < length:
            chunk = sock.recv(length - len(body))
            if not chunk:
                return None
            body += chunk
        return header[3], body

    def test_malformed_handshake_gets_an_error_and_a_closed_connection(self):
        sock = self.raw()
        sock.sendall(b"\x03\x00\x00\x01abc")
        seq, body = self.read_packet(sock)
        self.assertEqual(body[0], 0xFF)
        self.assertEqual(struct.unpack("<H", body[1:3])[0], 1043)
        self.assertIsNone(self.read_packet(sock))
        sock.close()
        self.assertEqual(self.mysql("SELECT 1", "-N", "-B").stdout.strip(), "1")  # still serving

    def test_oversized_packet_is_refused(self):
        sock = self.raw()
        sock.sendall(b"\xff\xff\xff\x01")  # announces a 16 MiB frame, over no limit yet...
        sock.sendall(b"\x00" * 1024)
        sock.close()
        with socket.create_connection((self.host, self.port), timeout=10) as other:
            self.assertIsNotNone(self.read_packet(other))  # the server still greets

    def test_unknown_command_keeps_the_connection(self):
        with self.connect() as db:
            sock = db._sock
            sock.sendall(b"\x01\x00\x00\x00\x1f")  # command 0x1f: not one the server knows
            seq, body = self.read_packet(sock)
            self.assertEqual(body[0], 0xFF)
            self.assertEqual(struct.unpack("<H", body[1:3])[0], 1047)
            with db.cursor() as cursor:
                cursor.execute("SELECT 1")
                self.assertEqual(cursor.fetchone(), (1,))

    def test_connection_limit_gives_error_1040(self):
        held = [self.connect() for _ in range(20)]
        try:
            with self.assertRaises(pymysql.MySQLError) as caught:
                self.connect()
            self.assertEqual(caught.exception.args[0], 1040)
        finally:
            for db in held:
                db.close()
        time.sleep(0.2)
        self.connect().close()

    def test_an_idle_connection_costs_no_cpu_once_polling_has_passed(self):
        # A connection's thread polls for its next statement (--busy-poll, 400 us by default), then sleeps: a
        # client that stops sending must not keep a core busy.
        with self.connect() as db, db.cursor() as cursor:
            for _ in range(300):
                cursor.execute("SELECT 1")
            time.sleep(0.5)
            before = cpu_seconds(self.serve.process.pid)
            time.sleep(2)
            spent = cpu_seconds(self.serve.process.pid) - before
            cursor.execute("SELECT 2")
            self.assertEqual(cursor.fetchone(), (2,))
        self.assertLess(spent, 0.2, f"an idle server spent {spent:.2f} s of CPU in 2 s")


class BusyPollOffTests(unittest.TestCase):
    """`--busy-poll 0`: threads sleep as soon as they are idle; everything still works."""

    def test_sysbench_and_a_transaction_without_polling(self):
        port = free_port()
        serve = Serve("--cluster", "quiet", "--endpoints", "ports", "--mysql-port", str(port), "--rds-port",
                      str(free_port()), "--busy-poll", "0")
        try:
            common = ["--threads=2", "--mysql-host=127.0.0.1", f"--mysql-port={port}", f"--mysql-user={USER}",
                      f"--mysql-password={PASSWORD}", f"--mysql-db={DB}", "--tables=1", "--table-size=500"]
            for command in (["prepare"], ["--time=2", "run"]):
                result = subprocess.run(["sysbench", "oltp_write_only", *common, *command], capture_output=True,
                                        text=True, timeout=120)
                self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
            db = pymysql.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD, database=DB)
            with db.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("DELETE FROM sbtest1 WHERE id <= 100")
                cursor.execute("ROLLBACK")
                cursor.execute("SELECT COUNT(*) FROM sbtest1")
                self.assertEqual(cursor.fetchone(), (500,))
            db.close()
        finally:
            self.assertEqual(serve.stop(), 0, "\n".join(serve.lines))

    def test_a_bad_busy_poll_is_one_clear_line(self):
        result = subprocess.run([binary(), "serve", "--busy-poll=-5"], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(result.stderr.strip().splitlines()[-1], "backtrack: error: --busy-poll must be from 0 to 100000")


def cpu_seconds(pid):
    """User and system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    unittest.main(verbosity=2)
