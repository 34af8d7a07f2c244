"""The AWS Aurora workshop end to end, with the real `aws` CLI (commands as printed in the labs, plus
--endpoint-url), the real `mysql` client and sysbench against `backtrack serve`; and the RDS API through boto3:
error codes and HTTP statuses, waiters, pagination, snapshots, events. Run by Tests/Scripts/run-all.sh."""
import os, re, subprocess, sys, threading, time, unittest, urllib.request

import boto3, botocore, pymysql

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Scripts"))
from serve import Serve, free_port  # noqa: E402

USER, PASSWORD, DB = "masteruser", "Password1", "mylab"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="dummy", AWS_SECRET_ACCESS_KEY="dummy", AWS_DEFAULT_REGION="us-east-1",
           AWS_PAGER="")


class Server:
    def __init__(self, *args):
        self.mysql_port = free_port(("127.0.0.2", "127.0.0.3", "127.0.0.4"))
        self.rds_port = free_port()
        self.serve = Serve("--mysql-port", str(self.mysql_port), "--rds-port", str(self.rds_port), *args)
        self.endpoint = f"http://127.0.0.1:{self.rds_port}"

    def aws(self, command, check=True):
        """`aws rds <command>` with --endpoint-url added, piped on as typed (`... | jq ...`)."""
        call, _, pipe = command.partition(" | ")
        line = f"aws rds {call} --endpoint-url {self.endpoint}" + (f" | {pipe}" if pipe else "")
        result = subprocess.run(f"set -o pipefail; {line}", shell=True, executable="/bin/bash", env=ENV,
                                capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"aws rds {command}: rc {result.returncode}\n{result.stderr}")
        return result

    def clock(self, **change):
        data = "&".join(f"{k}={v}" for k, v in change.items()).encode() if change else None
        with urllib.request.urlopen(f"{self.endpoint}/_backtrack/clock", data=data, timeout=10) as response:
            return response.read().decode().strip()

    def stop(self):
        code = self.serve.stop()
        assert code == 0, f"serve exited {code}:\n" + "\n".join(self.serve.lines)


class WorkshopTests(unittest.TestCase):
    """Lab 1 (clone) and lab 2 (backtrack), in order, as a student types them."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--cluster", "labstack-cluster", "--clock", "manual", "--start-time",
                            "2026-11-21T09:00:00Z", "--operation-delay", "1")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def mysql(self, host, sql, check=True):
        result = subprocess.run(["mysql", "-h", host, "-P", str(self.server.mysql_port), "-u", USER, f"-p{PASSWORD}",
                                 "-N", "-B", DB], input=sql, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            self.fail(f"mysql on {host}: {result.stderr}")
        return result.stdout.strip()

    def sysbench(self, host, command):
        result = subprocess.run(
            ["sysbench", "oltp_write_only", "--threads=1", f"--mysql-host={host}", f"--mysql-user={USER}",
             f"--mysql-password={PASSWORD}", f"--mysql-port={self.server.mysql_port}", "--tables=1",
             f"--mysql-db={DB}", "--table-size=3000", command], capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def status(self, cluster):
        return self.server.aws(f"describe-db-clusters --db-cluster-identifier {cluster} | jq -r '.DBClusters[0].Status'"
                               ).stdout.strip()

    def poll(self, what, expected, seen=None, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = what()
            if seen is not None:
                seen.add(value)
            if value == expected:
                return
            time.sleep(0.1)
        self.fail(f"never reached {expected}")

    def advance(self, seconds):
        self.server.clock(advance=seconds)

    def test_the_workshop(self):
        aws = self.server.aws
        source = aws("describe-db-clusters --db-cluster-identifier labstack-cluster | jq -r '.DBClusters[0].Endpoint'"
                     ).stdout.strip()
        self.assertEqual(source, "127.0.0.2")
        self.sysbench(source, "prepare")
        original = self.mysql(source, "checksum table sbtest1").split()[1]

        # Lab 1: clone, add an instance, compare checksums.
        self.advance(60)
        out = aws("restore-db-cluster-to-point-in-time --restore-type copy-on-write --use-latest-restorable-time "
                  "--source-db-cluster-identifier labstack-cluster --db-cluster-identifier labstack-cluster-clone "
                  "--backtrack-window 86400 | jq -r '.DBCluster.Status, .DBCluster.CloneGroupId, "
                  ".DBCluster.BacktrackWindow, (.DBCluster.DBClusterMembers | length)'").stdout.split()
        self.assertEqual(out[0], "creating")
        self.assertRegex(out[1], r"^[0-9a-f-]{36}$")
        self.assertEqual(out[2:], ["86400", "0"])
        self.poll(lambda: self.status("labstack-cluster-clone"), "available")
        created = aws("create-db-instance --db-instance-class db.r4.large --engine aurora "
                      "--db-cluster-identifier labstack-cluster-clone "
                      "--db-instance-identifier labstack-cluster-clone-instance | jq -r '.DBInstance.DBInstanceStatus'")
        self.assertEqual(created.stdout.strip(), "creating")
        describe = ("describe-db-instances --db-instance-identifier labstack-cluster-clone-instance "
                    "| jq -r '.DBInstances[0].DBInstanceStatus'")
        self.poll(lambda: aws(describe).stdout.strip(), "available")
        clone = aws("describe-db-instances --db-instance-identifier labstack-cluster-clone-instance "
                    "| jq -r '.DBInstances[0].Endpoint.Address'").stdout.strip()
        self.assertEqual(clone, "127.0.0.3")
        self.assertEqual(self.mysql(clone, "checksum table sbtest1").split()[1], original)

        # Lab 2: backtrack the clone.
        self.advance(60)
        marker1 = self.mysql(clone, "SELECT current_timestamp()")
        self.advance(60)
        self.mysql(clone, "DROP TABLE sbtest1")
        self.advance(60)
        marker2 = self.mysql(clone, "SELECT current_timestamp()")
        self.advance(60)
        self.sysbench(clone, "prepare")
        reloaded = self.mysql(clone, "checksum table sbtest1").split()[1]
        self.assertNotEqual(reloaded, original)
        watcher = pymysql.connect(host=clone, port=self.server.mysql_port, user=USER, password=PASSWORD, database=DB)
        watcher.begin()
        watcher.cursor().execute("DELETE FROM sbtest1 WHERE id < 100")  # uncommitted: must be dropped
        self.advance(60)

        seen = set()
        to = marker2.replace(" ", "T") + "Z"
        record = aws(f'backtrack-db-cluster --db-cluster-identifier labstack-cluster-clone --backtrack-to "{to}"'
                     " | jq -r '.Status, .BacktrackTo'").stdout.split()
        self.assertEqual(record, ["pending", to])
        self.poll(lambda: self.status("labstack-cluster-clone"), "available", seen)
        self.assertIn("backtracking", seen)
        self.assertNotIn("sbtest1", self.mysql(clone, "show tables").split())
        with self.assertRaises(pymysql.err.OperationalError) as lost:
            watcher.cursor().execute("SELECT 1")
        self.assertIn(lost.exception.args[0], (2006, 2013))  # the backtrack closed the connection

        self.advance(60)
        aws(f'backtrack-db-cluster --db-cluster-identifier labstack-cluster-clone --backtrack-to '
            f'"{marker1.replace(" ", "T")}Z"')
        self.poll(lambda: self.status("labstack-cluster-clone"), "available")
        self.assertEqual(self.mysql(clone, "checksum table sbtest1").split()[1], original)
        self.assertEqual(self.mysql(source, "checksum table sbtest1").split()[1], original)

        records = aws("describe-db-cluster-backtracks --db-cluster-identifier labstack-cluster-clone "
                      "| jq -r '.DBClusterBacktracks[] | .Status + \" \" + .BacktrackTo'").stdout.split("\n")
        self.assertEqual([r.split()[0] for r in records if r], ["completed", "completed"])
        self.assertTrue(records[0].endswith(marker1.replace(" ", "T") + "Z") or records[0] < records[1])

        # The workshop's printed time is in the future of this simulated morning: refused as AWS would.
        future = aws('backtrack-db-cluster --db-cluster-identifier labstack-cluster --backtrack-to '
                     '"2026-11-21T10:00:00Z"', check=False)
        self.assertEqual(future.returncode, 255)
        self.assertIn("(InvalidParameterValue)", future.stderr)


class RDSAPITests(unittest.TestCase):
    """The Query API through boto3: shapes, error codes and statuses, waiters, pagination."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--cluster", "base")
        cls.rds = boto3.client("rds", endpoint_url=cls.server.endpoint, region_name="eu-west-1",
                               aws_access_key_id="dummy", aws_secret_access_key="dummy")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def error(self, call, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call(**kwargs)
        response = caught.exception.response
        return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]

    def test_errors_carry_aws_codes_and_statuses(self):
        rds = self.rds
        self.assertEqual(self.error(rds.describe_db_clusters, DBClusterIdentifier="nope"),
                         ("DBClusterNotFoundFault", 404))
        self.assertEqual(self.error(rds.describe_db_instances, DBInstanceIdentifier="nope"), ("DBInstanceNotFound", 404))
        self.assertEqual(self.error(rds.create_db_cluster, DBClusterIdentifier="base", Engine="aurora",
                                    MasterUsername=USER, MasterUserPassword=PASSWORD),
                         ("DBClusterAlreadyExistsFault", 400))
        self.assertEqual(self.error(rds.create_db_cluster, DBClusterIdentifier="w", Engine="aurora",
                                    MasterUsername=USER, MasterUserPassword=PASSWORD, BacktrackWindow=300000),
                         ("InvalidParameterValue", 400))
        self.assertEqual(self.error(rds.backtrack_db_cluster, DBClusterIdentifier="base",
                                    BacktrackTo="2099-01-01T00:00:00Z"), ("InvalidParameterValue", 400))
        self.assertEqual(self.error(rds.restore_db_cluster_to_point_in_time, DBClusterIdentifier="c",
                                    SourceDBClusterIdentifier="base", RestoreType="copy-on-write",
                                    UseLatestRestorableTime=True, RestoreToTime="2026-01-01T00:00:00Z"),
                         ("InvalidParameterCombination", 400))
        self.assertEqual(self.error(rds.describe_db_cluster_backtracks, DBClusterIdentifier="base",
                                    BacktrackIdentifier="00000000-0000-4000-8000-000000000000"),
                         ("DBClusterBacktrackNotFoundFault", 404))
        raw = urllib.request.Request(self.server.endpoint, data=b"Action=DropEverything&Version=2014-10-31")
        with self.assertRaises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(raw, timeout=10)
        self.assertEqual(caught.exception.code, 400)
        self.assertIn("<Code>InvalidAction</Code>", caught.exception.read().decode())

    def test_lifecycle_with_waiters_snapshots_and_events(self):
        rds = self.rds
        created = rds.create_db_cluster(DBClusterIdentifier="life", Engine="aurora-mysql", MasterUsername=USER,
                                        MasterUserPassword=PASSWORD, DatabaseName="app", BacktrackWindow=3600)
        self.assertIn(":eu-west-1:", created["DBCluster"]["DBClusterArn"])  # the region of the credential scope
        rds.get_waiter("db_cluster_available").wait(DBClusterIdentifier="life")
        rds.create_db_instance(DBInstanceIdentifier="life-1", DBInstanceClass="db.r5.large", Engine="aurora-mysql",
                               DBClusterIdentifier="life")
        rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier="life-1")
        cluster = rds.describe_db_clusters(DBClusterIdentifier="life")["DBClusters"][0]
        self.assertEqual(cluster["DBClusterMembers"][0]["IsClusterWriter"], True)
        self.assertEqual(cluster["BacktrackWindow"], 3600)
        self.assertIn("EarliestBacktrackTime", cluster)
        snapshot = rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="life-snap", DBClusterIdentifier="life")
        self.assertEqual(snapshot["DBClusterSnapshot"]["SnapshotType"], "manual")
        rds.get_waiter("db_cluster_snapshot_available").wait(DBClusterSnapshotIdentifier="life-snap")
        restored = rds.restore_db_cluster_from_snapshot(DBClusterIdentifier="life-again", SnapshotIdentifier="life-snap",
                                                        Engine="aurora-mysql", BacktrackWindow=600)
        self.assertEqual(restored["DBCluster"]["BacktrackWindow"], 600)
        self.assertNotIn("CloneGroupId", restored["DBCluster"])
        modified = rds.modify_db_cluster(DBClusterIdentifier="life", BacktrackWindow=0, ApplyImmediately=True)
        self.assertNotIn("BacktrackWindow", modified["DBCluster"])  # disabled clusters have no window key
        self.assertEqual(self.error(rds.modify_db_cluster, DBClusterIdentifier="life", BacktrackWindow=600),
                         ("InvalidParameterCombination", 400))
        self.assertEqual(self.error(rds.delete_db_cluster, DBClusterIdentifier="life"),
                         ("InvalidParameterCombination", 400))
        rds.delete_db_instance(DBInstanceIdentifier="life-1")
        rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier="life-1")
        rds.delete_db_cluster(DBClusterIdentifier="life", SkipFinalSnapshot=True)
        rds.get_waiter("db_cluster_deleted").wait(DBClusterIdentifier="life")
        events = rds.describe_events(SourceType="db-cluster", SourceIdentifier="life")["Events"]
        self.assertEqual([e["Message"] for e in events], ["DB cluster created", "DB cluster deleted"])

    def cluster_with_writer(self, name, window=3600):
        self.rds.create_db_cluster(DBClusterIdentifier=name, Engine="aurora-mysql", MasterUsername=USER,
                                   MasterUserPassword=PASSWORD, DatabaseName=DB, BacktrackWindow=window)
        self.rds.create_db_instance(DBInstanceIdentifier=f"{name}-1", DBInstanceClass="db.r5.large",
                                    Engine="aurora-mysql", DBClusterIdentifier=name)
        return self.rds.describe_db_instances(DBInstanceIdentifier=f"{name}-1")["DBInstances"][0]["Endpoint"]

    @staticmethod
    def connect(endpoint, **kw):
        return pymysql.connect(host=endpoint["Address"], port=endpoint["Port"], user=USER, password=PASSWORD,
                               database=DB, autocommit=True, **kw)

    @staticmethod
    def marker(db):
        """The workshop's time marker, then a pause so that it falls between commits (it has whole seconds)."""
        time.sleep(1.05)
        with db.cursor() as cursor:
            cursor.execute("SELECT current_timestamp()")
            stamp = cursor.fetchone()[0]
        time.sleep(1.05)
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")

    def test_recovery_with_a_python_driver_clone_backtrack_and_restore(self):
        endpoint = self.cluster_with_writer("shop")
        db = self.connect(endpoint)
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2))")
            cursor.executemany("INSERT INTO orders VALUES (%s, %s)", [(i, i * 1.5) for i in range(1, 51)])
            cursor.execute("CHECKSUM TABLE orders")
            good = cursor.fetchone()[1]
        good_time = self.marker(db)
        with db.cursor() as cursor:
            cursor.execute("DELETE FROM orders WHERE id > 10")  # the damage
        clone = self.rds.restore_db_cluster_to_point_in_time(
            DBClusterIdentifier="shop-clone", SourceDBClusterIdentifier="shop", RestoreType="copy-on-write",
            UseLatestRestorableTime=True)["DBCluster"]
        self.assertEqual(clone["CloneGroupId"],
                         self.rds.describe_db_clusters(DBClusterIdentifier="shop")["DBClusters"][0]["CloneGroupId"])
        self.assertEqual(self.error(self.rds.backtrack_db_cluster, DBClusterIdentifier="shop",
                                    BacktrackTo="2020-01-01T00:00:00Z"), ("InvalidParameterValue", 400))
        record = self.rds.backtrack_db_cluster(DBClusterIdentifier="shop", BacktrackTo=good_time)
        self.assertEqual(record["Status"], "completed")
        with self.assertRaises(pymysql.err.OperationalError):  # the backtrack closed this connection
            db.cursor().execute("SELECT 1")
        with self.connect(endpoint) as again, again.cursor() as cursor:
            cursor.execute("CHECKSUM TABLE orders")
            self.assertEqual(cursor.fetchone()[1], good)
        # A full-copy restore to the same time, and its parameter rules.
        for kwargs, code in [(dict(), "InvalidParameterCombination"),
                             (dict(RestoreToTime="2020-01-01T00:00:00Z"), "InvalidRestoreFault"),
                             (dict(RestoreToTime=good_time, UseLatestRestorableTime=True),
                              "InvalidParameterCombination")]:
            self.assertEqual(self.error(self.rds.restore_db_cluster_to_point_in_time, DBClusterIdentifier="shop-pitr",
                                        SourceDBClusterIdentifier="shop", **kwargs)[0], code)
        self.rds.restore_db_cluster_to_point_in_time(DBClusterIdentifier="shop-pitr", SourceDBClusterIdentifier="shop",
                                                     RestoreToTime=good_time)
        self.rds.create_db_instance(DBInstanceIdentifier="shop-pitr-1", DBInstanceClass="db.r5.large",
                                    Engine="aurora-mysql", DBClusterIdentifier="shop-pitr")
        pitr = self.rds.describe_db_instances(DBInstanceIdentifier="shop-pitr-1")["DBInstances"][0]["Endpoint"]
        with self.connect(pitr) as restored, restored.cursor() as cursor:
            cursor.execute("CHECKSUM TABLE orders")
            self.assertEqual(cursor.fetchone()[1], good)

    def test_backtrack_during_load(self):
        endpoint = self.cluster_with_writer("load")
        with self.connect(endpoint) as db, db.cursor() as cursor:
            cursor.execute("CREATE TABLE events (id INT PRIMARY KEY, at VARCHAR(40))")
        committed, stop, failure = [], threading.Event(), []

        def writer():
            try:
                with self.connect(endpoint) as db, db.cursor() as cursor:
                    i = 0
                    while not stop.is_set():
                        i += 1
                        cursor.execute("INSERT INTO events VALUES (%s, 'x')", (i,))
                        committed.append((i, time.time()))
            except pymysql.err.OperationalError as error:
                failure.append(error.args[0])

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(1.5)
        with self.connect(endpoint) as db:
            before = time.time()
            target = self.marker(db)
            with db.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*), MAX(id) FROM events FOR SYSTEM_TIME AS OF TIMESTAMP "
                               f"'{target.replace('T', ' ').rstrip('Z')}'")
                expected = cursor.fetchone()
        self.rds.backtrack_db_cluster(DBClusterIdentifier="load", BacktrackTo=target)
        thread.join(timeout=30)
        stop.set()
        self.assertFalse(thread.is_alive())
        self.assertTrue(failure and failure[0] in (2006, 2013), f"the writer saw {failure}")  # a clean disconnect
        with self.connect(endpoint) as db, db.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), MAX(id) FROM events")
            self.assertEqual(cursor.fetchone(), expected)
            cursor.execute("SELECT id FROM events")
            present = {row[0] for row in cursor.fetchall()}
        lost = [i for i, at in committed if at < before - 1.5 and i not in present]
        self.assertEqual(lost, [], "rows committed well before the target were lost")
        self.assertGreater(expected[0], 0)

    def test_bad_requests_get_errors_and_the_server_keeps_serving(self):
        def post(body):
            request = urllib.request.Request(self.server.endpoint, data=body)
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        for body, code in [(b"%%%garbage", "MalformedQueryString"), (b"Version=2014-10-31", "MissingParameter"),
                           (b"Action=DescribeDBClusters&MaxRecords=many", "InvalidParameterValue"),
                           (b"Action=CreateDBCluster&DBClusterIdentifier=x&Engine=aurora&BacktrackWindow=%00",
                            "InvalidParameterValue"),
                           (b"Action=DescribeDBClusters&" + b"x" * (2 << 20), "InvalidParameterValue")]:
            status, text = post(body)
            self.assertEqual(status, 400, body[:60])
            self.assertIn(f"<Code>{code}</Code>", text, body[:60])
        self.assertEqual(post(b"Action=DescribeDBClusters&Version=2014-10-31")[0], 200)

    def test_pagination_follows_markers(self):
        for i in range(24):
            self.rds.create_db_cluster(DBClusterIdentifier=f"page-{i:02d}", Engine="aurora", MasterUsername=USER,
                                       MasterUserPassword=PASSWORD)
        first = self.rds.describe_db_clusters(MaxRecords=20, Filters=[{"Name": "engine", "Values": ["aurora"]}])
        self.assertEqual(len(first["DBClusters"]), 20)
        self.assertIn("Marker", first)
        names = [c["DBClusterIdentifier"] for page in self.rds.get_paginator("describe_db_clusters").paginate(
            PaginationConfig={"PageSize": 20}) for c in page["DBClusters"]]
        self.assertEqual(len(names), len(set(names)))
        self.assertTrue({f"page-{i:02d}" for i in range(24)} <= set(names))


if __name__ == "__main__":
    unittest.main(verbosity=2)
