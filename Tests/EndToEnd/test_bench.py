"""End-to-end test of `backtrack bench` as its users run it: the real executable at a tiny size with the MariaDB
baselines (Debian's mariadb-server, which Tests/Scripts/run-all.sh installs; bench starts and stops its own
private server), checking the JSON, the SVG, the table and the exit status."""
import json, os, subprocess, sys, tempfile, unittest
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Scripts"))
from serve import binary  # noqa: E402

METHODS = {"backtrack", "clone-latest", "cow-restore", "full-copy-restore", "snapshot-replay",
           "sqlite-backup-replay", "mariadb-dump-binlog", "mariadb-flashback"}


def bench(*args, env=None):
    return subprocess.run([binary(), "bench", *args], capture_output=True, text=True, timeout=900, env=env)


class BenchTests(unittest.TestCase):
    def test_tiny_run_with_mariadb_reaches_every_target_and_writes_json_and_svg(self):
        with tempfile.TemporaryDirectory() as directory:
            report, plot = os.path.join(directory, "bench.json"), os.path.join(directory, "bench.svg")
            result = bench("--sizes", "200,400", "--history", "8,16", "--distances", "0.25,0.5", "--repeat", "2",
                           "--mariadb", "--json", report, "--plot", plot)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            self.assertIn("state ok", result.stdout)
            self.assertNotIn("WRONG", result.stdout)

            with open(report) as file:
                data = json.load(file)
            self.assertEqual(set(data["methods"]), METHODS)
            self.assertEqual({r["method"] for r in data["results"]}, METHODS)
            self.assertTrue(data["allMatched"])
            for result_row in data["results"]:
                self.assertTrue(result_row["matched"], result_row)
                self.assertEqual(len(result_row["seconds"]), 2)
                self.assertEqual(set(result_row["checksums"]), {result_row["expectedChecksum"]})
            # The three sweeps: sizes at the smallest history, histories at the smallest size, distances on the
            # smallest size with the longest history; MariaDB reaches the same checksums as Backtrack.
            points = {(r["rows"], r["history"], r["commitsBack"]) for r in data["results"]
                      if r["method"] == "mariadb-flashback"}
            self.assertEqual(points, {(200, 8, 4), (400, 8, 4), (200, 16, 8), (200, 16, 4)})
            self.assertTrue(data["versions"]["mariadb"].startswith("10."))
            self.assertEqual(data["parameters"]["sizes"], [200, 400])

            root = ElementTree.parse(plot).getroot()
            self.assertEqual(root.tag, "{http://www.w3.org/2000/svg}svg")
            self.assertGreaterEqual(len(root.findall("{http://www.w3.org/2000/svg}polyline")), 3 * 7)

    def test_bad_options_print_one_line_and_fail(self):
        result = bench("--sizes", "0")
        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(result.stderr.strip().count("\n"), 0, result.stderr)
        self.assertIn("--sizes", result.stderr)

    def test_missing_mariadb_says_what_to_install(self):
        env = dict(os.environ, PATH="/nonexistent")
        result = bench("--sizes", "50", "--history", "2", "--repeat", "1", "--mariadb", env=env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("apt-get install mariadb-server", result.stderr)
        self.assertEqual(result.stderr.strip().count("\n"), 0, result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
