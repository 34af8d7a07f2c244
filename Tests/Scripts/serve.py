"""Starts and stops `backtrack serve` for the end-to-end tests, on free ports, and finds the real clients."""
import os, re, socket, subprocess, threading, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def binary():
    """The backtrack executable: $BACKTRACK_BIN (read at each start, so a script may set it late), else the debug
    build."""
    return os.environ.get("BACKTRACK_BIN", os.path.join(ROOT, ".build", "debug", "backtrack"))


def free_port(hosts=("127.0.0.1",)):
    """A port that is free on every host given (the loopback addresses clusters will use)."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        ok = True
        for host in hosts:
            with socket.socket() as probe:
                try:
                    probe.bind((host, port))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no free port")


class Serve:
    """`backtrack serve` as a child process; its output lines are collected."""

    def __init__(self, *args, ready_pattern=r"cluster\(s\) ready"):
        self.lines = []
        self.process = subprocess.Popen([binary(), "serve", *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.time() + 60
        while not any(re.search(ready_pattern, line) for line in list(self.lines)):
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                raise RuntimeError("backtrack serve did not start:\n" + "\n".join(self.lines))
            time.sleep(0.05)

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode
