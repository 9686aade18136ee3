"""Broker + gateway in one command (scripts/gateway).

Keeps its state in a work directory (default build/gateway): users.txt
("name:password" per line; created with random passwords for --nodes N node
users plus the gateway user when absent), the broker's config, password file,
ACLs and persistence, and the SQLite database. Mosquitto listens on
127.0.0.1 only. Ctrl-C (SIGINT/SIGTERM) stops both, broker state saved.

    scripts/gateway --nodes 10                # serve; prints port and credentials file
    scripts/gateway --nodes 10 --demo 200     # also run 10 simulated nodes x 200 records
    python3 -m tinysense.gateway.status build/gateway/gateway.sqlite
"""
import argparse
import json
import os
import secrets
import signal
import threading
import time

from .broker import Mosquitto, free_port
from .daemon import Gateway
from .store import open_store


def load_users(path, nodes):
    users = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    name, _, pw = line.partition(":")
                    users[name] = pw
    changed = False
    if "gateway" not in users:
        users["gateway"] = secrets.token_hex(12)
        changed = True
    for i in range(nodes):
        name = f"node{i:03d}"
        if name not in users:
            users[name] = secrets.token_hex(12)
            changed = True
    if changed:
        with open(path, "w") as f:
            f.write("# MQTT users of the tinysense broker: name:password\n")
            f.writelines(f"{k}:{v}\n" for k, v in users.items())
        os.chmod(path, 0o600)
    return users


def main(argv=None):
    ap = argparse.ArgumentParser(description="tinysense broker + gateway")
    ap.add_argument("--workdir", default="build/gateway")
    ap.add_argument("--port", type=int, default=0, help="0: a free port (saved for next time)")
    ap.add_argument("--nodes", type=int, default=3, help="node users to create (node000..)")
    ap.add_argument("--keys", help="BTHome keys JSON {MAC: hex key}")
    ap.add_argument("--demo", type=int, default=0, metavar="RECORDS",
                    help="run the fleet simulator (--nodes nodes x RECORDS records), then exit")
    a = ap.parse_args(argv)
    os.makedirs(a.workdir, exist_ok=True)
    users = load_users(os.path.join(a.workdir, "users.txt"), a.nodes)
    port_file = os.path.join(a.workdir, "port")
    port = a.port or (int(open(port_file).read()) if os.path.exists(port_file) else free_port())
    with open(port_file, "w") as f:
        f.write(str(port))
    broker_dir = os.path.join(a.workdir, "broker")
    os.makedirs(broker_dir, exist_ok=True)
    broker = Mosquitto(users, workdir=broker_dir, port=port)
    broker.start()
    keys = {}
    if a.keys:
        with open(a.keys) as f:
            keys = json.load(f)
    db = os.path.join(a.workdir, "gateway.sqlite")
    store = open_store(db)
    gw = Gateway(store, broker.host, broker.port, "gateway", users["gateway"], keys)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    t = threading.Thread(target=gw.run, args=(stop,), daemon=True)
    t.start()
    gw.subscribed.wait(10)
    print(f"broker  mqtt://{broker.host}:{broker.port}  (users: {a.workdir}/users.txt, "
          f"log: {broker.log_path})")
    print(f"gateway storing into {db}; status: python3 -m tinysense.gateway.status {db}")
    try:
        if a.demo:
            from .fleet import Fleet

            fleet = Fleet(broker, a.nodes, a.demo, password_of=lambda n: users[n])
            secs = fleet.run(cut_rate=2.0)
            deadline = time.monotonic() + 60
            while gw.stats["stored"] + gw.stats["duplicates"] < a.nodes * a.demo and \
                    time.monotonic() < deadline:
                time.sleep(0.1)
            print(f"demo: {a.nodes} nodes x {a.demo} records acknowledged in {secs:.1f} s, "
                  f"{fleet.cuts} connection cuts")
        else:
            print("serving; Ctrl-C to stop")
            while not stop.wait(1.0):
                pass
    finally:
        stop.set()
        t.join(10)
        store.close()
        broker.stop()
    from . import status

    print(status.table(*status.summarize(db)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
