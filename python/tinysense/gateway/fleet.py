"""Fleet simulator: N host-simulated nodes publishing records through a real broker.

Each node runs the node-side C++ MQTT client (tinysense._ext.MqttClient, the
code of include/tinysense/node/mqtt.hpp) over a real TCP socket to Mosquitto:
QoS 1 with an in-flight window, DUP resends, resume after reconnect. One
thread multiplexes every socket (selectors). Records are compact records in
the envelope (payload.py) with seq 0..records-1 per node.

Chaos, from a seeded RNG: connections are cut at random moments (RST, often
right after writing only part of a packet) and the broker is restarted
(SIGTERM, state saved, same port) at chosen points of progress. The gateway
runs as a separate process (python3 -m tinysense.gateway.daemon).

run_fleet() returns a report: records sent / acknowledged, rows stored,
duplicates dropped by the gateway, cuts, broker restarts, client statistics.
CLI: python3 -m tinysense.gateway.fleet --nodes 100 --records 1000
"""
import argparse
import json
import os
import random
import selectors
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

from .broker import Mosquitto
from .payload import encode_envelope, encode_record


def _now_ms():
    return int(time.monotonic() * 1000) & 0xFFFFFFFF


class SimNode:
    def __init__(self, node_id, password, records, window, rng):
        from tinysense._ext import MqttClient  # the C++ node client

        self.node_id = node_id
        self.topic = f"tinysense/{node_id}/rec"
        self.records = records
        self.client = MqttClient(node_id, username=node_id, password=password, keep_alive=20,
                                 clean_session=False, window=window, max_packet=128,
                                 rx_bytes=256, ack_timeout_ms=3000, ack_timeout_max_ms=20000,
                                 connack_timeout_ms=3000, reconnect_min_ms=50,
                                 reconnect_max_ms=1000)
        self.rng = rng
        self.sock = None
        self.out = b""
        self.next_seq = 0
        self.acked = set()
        self.tcp_retry_at = 0.0
        self.tcp_backoff = 0.05
        self.cuts = 0
        self.cut_pending = False
        self.base_temp = rng.randint(1500, 2500)

    def payload(self, seq):
        rec = encode_record(seq, timestamp=seq * 10, temperature_centi=self.base_temp + seq % 50,
                            humidity_centi=4000 + seq % 200, battery_mv=3000 - seq // 10)
        return encode_envelope(self.node_id, rec)

    def done(self):
        return len(self.acked) == self.records


class Fleet:
    def __init__(self, broker, nodes, records, window=16, seed=1, password_of=None):
        self.broker = broker
        self.rng = random.Random(seed)
        pw = password_of or (lambda n: f"pw-{n}")
        self.nodes = [SimNode(f"node{i:03d}", pw(f"node{i:03d}"), records, window,
                              random.Random(seed * 1000 + i)) for i in range(nodes)]
        self.sel = selectors.DefaultSelector()
        self.cuts = 0
        self.partial_cuts = 0

    # ---- sockets ----
    def _open(self, n, now):
        if time.monotonic() < n.tcp_retry_at or not n.client.connect_due(now):
            return
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            s.settimeout(1.0)
            s.connect((self.broker.host, self.broker.port))  # loopback: immediate answer
        except OSError:
            s.close()
            n.tcp_retry_at = time.monotonic() + n.tcp_backoff * (0.5 + n.rng.random())
            n.tcp_backoff = min(n.tcp_backoff * 2, 1.0)
            return
        s.setblocking(False)
        n.tcp_backoff = 0.05
        n.sock, n.out = s, b""
        self.sel.register(s, selectors.EVENT_READ, n)
        if n.client.connect(now) != 0:
            self._close(n, now)

    def _close(self, n, now, rst=False):
        if n.sock is None:
            return
        try:
            self.sel.unregister(n.sock)
        except (KeyError, ValueError):
            pass
        if rst:  # abortive close: the broker sees a reset, not a FIN
            n.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        n.sock.close()
        n.sock, n.out = None, b""
        n.client.on_disconnect(now)

    def _flush(self, n, now):
        n.out += n.client.take_output()
        if n.sock is None:
            n.out = b""
            return
        while n.out:
            try:
                k = n.sock.send(n.out)
            except BlockingIOError:
                break
            except OSError:
                self._close(n, now)
                return
            n.out = n.out[k:]
        self.sel.modify(n.sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if n.out else 0), n)

    def cut(self, n, now):
        """Cuts n's connection: at its next write when it has output pending
        (only a random prefix of it goes out: a packet cut in the middle),
        else right away."""
        if n.sock is None:
            return
        n.out += n.client.take_output()
        if n.out:
            k = n.rng.randint(1, len(n.out))
            try:
                n.sock.send(n.out[:k])
            except OSError:
                pass
            self.partial_cuts += 1
        self._close(n, now, rst=True)
        self.cuts += 1
        n.cuts += 1

    # ---- main loop ----
    def run(self, restart_at=(), cut_rate=0.0, timeout_s=240.0, progress=None):
        """Runs until every record of every node is acknowledged.

        restart_at: fractions of acknowledged records at which the broker restarts.
        cut_rate: expected connection cuts per second over the whole fleet."""
        total = sum(n.records for n in self.nodes)
        pending_restarts = sorted(restart_at)
        t0 = last_cut = time.monotonic()
        while True:
            now = _now_ms()
            acked = 0
            for n in self.nodes:
                if n.sock is None:
                    self._open(n, now)
                c = n.client
                while n.next_seq < n.records and c.in_flight < c.window:
                    if c.publish(n.topic, n.payload(n.next_seq), n.next_seq, now) == 0:
                        break
                    n.next_seq += 1
                if n.sock is not None and c.poll(now) != 0:
                    self._close(n, now)
                if n.cut_pending:
                    n.cut_pending = False
                    self.cut(n, now)
                self._flush(n, now)
                acked += len(n.acked)
            if acked == total:
                break
            if time.monotonic() - t0 > timeout_s:
                raise TimeoutError(f"fleet: {acked}/{total} acknowledged after {timeout_s} s")
            if pending_restarts and acked >= pending_restarts[0] * total:
                pending_restarts.pop(0)
                self.broker.restart()
            if cut_rate > 0:
                t = time.monotonic()
                while last_cut + 1.0 / cut_rate < t:
                    last_cut += 1.0 / cut_rate
                    live = [n for n in self.nodes if n.sock is not None]
                    if live:
                        self.rng.choice(live).cut_pending = True
            for key, _ in self.sel.select(timeout=0.005):
                n = key.data
                if n.sock is None or key.fileobj is not n.sock:
                    continue
                try:
                    data = n.sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self._close(n, now)
                    continue
                if n.client.feed(data, now) != 0:
                    self._close(n, now)
                for tag in n.client.take_acks():
                    n.acked.add(tag)
                self._flush(n, now)
            for n in self.nodes:
                for tag in n.client.take_acks():
                    n.acked.add(tag)
            if progress:
                progress(acked, total)
        for n in self.nodes:  # a clean goodbye; sessions stay on the broker
            if n.sock is not None:
                n.client.disconnect(_now_ms())
                self._flush(n, _now_ms())
                self._close(n, _now_ms())
        return time.monotonic() - t0

    def client_stats(self):
        agg = {}
        for n in self.nodes:
            for k, v in n.client.stats.items():
                agg[k] = agg.get(k, 0) + v
        return agg


def _package_root():
    import tinysense

    return os.path.dirname(os.path.dirname(os.path.abspath(tinysense.__file__)))


def start_gateway(broker, db_path, password, workdir, keys_path=None):
    """The gateway daemon as a child process (its own core and GIL)."""
    pwfile = os.path.join(workdir, "gateway.pw")
    with open(pwfile, "w") as f:
        f.write(password + "\n")
    os.chmod(pwfile, 0o600)
    env = dict(os.environ)
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(
        [_package_root(), here] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]))
    cmd = [sys.executable, "-m", "tinysense.gateway.daemon", "--host", broker.host,
           "--port", str(broker.port), "--user", "gateway", "--password-file", pwfile,
           "--db", db_path]
    if keys_path:
        cmd += ["--keys", keys_path]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop_gateway(proc, timeout=30):
    proc.terminate()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    lines = [l for l in out.splitlines() if l.startswith("{")]
    return (json.loads(lines[-1]) if lines else {}), err


def count_rows(db_path):
    db = sqlite3.connect(db_path, timeout=10)
    try:
        return db.execute("SELECT COUNT(*) FROM measurements").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def run_fleet(nodes=100, records=1000, restarts=2, cut_rate=40.0, window=16, seed=1,
              workdir=None, timeout_s=240.0, log=None):
    """Broker + gateway + fleet; returns the report dict (see module doc)."""
    own = workdir is None
    workdir = workdir or tempfile.mkdtemp(prefix="tinysense-fleet-")
    db_path = os.path.join(workdir, "gateway.sqlite")
    users = {"gateway": "gw-secret", **{f"node{i:03d}": f"pw-node{i:03d}" for i in range(nodes)}}
    broker_dir = os.path.join(workdir, "broker")
    os.makedirs(broker_dir, exist_ok=True)
    broker = Mosquitto(users, workdir=broker_dir)
    report = {}
    broker.start()
    gw = start_gateway(broker, db_path, "gw-secret", workdir)
    try:
        fleet = Fleet(broker, nodes, records, window, seed)
        # Let the gateway connect (and create its persistent session) first.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not os.path.exists(db_path):
            time.sleep(0.02)
        time.sleep(0.3)
        restart_at = [(k + 1) / (restarts + 1) for k in range(restarts)]
        elapsed = fleet.run(restart_at=restart_at, cut_rate=cut_rate, timeout_s=timeout_s)
        total = nodes * records
        drain = time.monotonic()  # the gateway stores what the broker still queues for it
        deadline = drain + 120
        while count_rows(db_path) < total and time.monotonic() < deadline:
            time.sleep(0.1)
        drain = time.monotonic() - drain
        gw_stats, gw_err = stop_gateway(gw)
        report.update(
            nodes=nodes, records_per_node=records, records_sent=total,
            records_acked=sum(len(n.acked) for n in fleet.nodes),
            fleet_seconds=round(elapsed, 2), drain_seconds=round(drain, 2),
            broker_restarts=broker.restarts, connection_cuts=fleet.cuts,
            partial_packet_cuts=fleet.partial_cuts, client=fleet.client_stats(),
            gateway=gw_stats, db_path=db_path, gateway_stderr=gw_err[-2000:])
        db = sqlite3.connect(db_path)
        report["rows"] = db.execute("SELECT COUNT(*) FROM measurements").fetchone()[0]
        report["distinct"] = db.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT node, seq FROM measurements)").fetchone()[0]
        per_node = db.execute(
            "SELECT node, COUNT(*), MIN(seq), MAX(seq) FROM measurements GROUP BY node").fetchall()
        db.close()
        report["nodes_complete"] = sum(1 for _, c, lo, hi in per_node
                                       if c == records and lo == 0 and hi == records - 1)
    finally:
        if gw.poll() is None:
            gw.kill()
            gw.communicate()
        broker.stop()
    report["workdir"] = workdir
    report["own_workdir"] = own
    return report


def main(argv=None):
    ap = argparse.ArgumentParser(description="tinysense fleet simulator (broker + gateway + N nodes)")
    ap.add_argument("--nodes", type=int, default=100)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--restarts", type=int, default=2)
    ap.add_argument("--cut-rate", type=float, default=40.0, help="connection cuts per second")
    ap.add_argument("--window", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", help="keep broker files and the SQLite database here")
    a = ap.parse_args(argv)
    if a.workdir:
        os.makedirs(a.workdir, exist_ok=True)
    r = run_fleet(a.nodes, a.records, a.restarts, a.cut_rate, a.window, a.seed, a.workdir)
    r.pop("gateway_stderr", None)
    if r.pop("own_workdir"):
        import shutil

        shutil.rmtree(r.pop("workdir"), ignore_errors=True)
        r.pop("db_path")
    print(json.dumps(r, indent=2, sort_keys=True))
    ok = r["rows"] == r["records_sent"] == r["distinct"] and r["nodes_complete"] == a.nodes
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
