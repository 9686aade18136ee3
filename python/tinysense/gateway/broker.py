"""A private Mosquitto broker for the gateway, the tests and the fleet simulator.

Writes a configuration into a directory of ours and runs /usr/sbin/mosquitto
on 127.0.0.1 with a free port: no system service, no other interface.
  * authentication: password file made with mosquitto_passwd -U (hashed);
    no anonymous access
  * ACLs: the gateway user reads tinysense/#; every other user may write only
    tinysense/<its user name>/# (pattern write tinysense/%u/#), so a node
    cannot publish as another. A denied PUBLISH is dropped: MQTT 3.1.1 lets
    the broker either acknowledge it or close the connection [MQTT-3.3.5-2];
    Mosquitto 2.0 sends the PUBACK and then closes the connection.
  * persistence in the same directory, so restart() keeps sessions and queued
    QoS 1 messages (saved when mosquitto stops on SIGTERM)
  * max_queued_messages 0 (no limit): a disconnected gateway loses nothing
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mosquitto:
    """Mosquitto with auth + per-node ACLs in `workdir` (a new temp dir if None).

    users: {name: password}; `gateway_user` gets read access to everything.
    verbose: log every packet (debug), for tests that look at the broker's log."""

    def __init__(self, users, gateway_user="gateway", workdir=None, port=None, verbose=False):
        self.users = dict(users)
        self.gateway_user = gateway_user
        if gateway_user not in self.users:
            raise ValueError(f"users must include the gateway user {gateway_user!r}")
        self._own_dir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="tinysense-mqtt-")
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.verbose = verbose
        self.proc = None
        self.restarts = 0
        self._write_config()

    # -- files --
    @property
    def conf_path(self):
        return os.path.join(self.workdir, "mosquitto.conf")

    @property
    def log_path(self):
        return os.path.join(self.workdir, "mosquitto.log")

    def _write_config(self):
        for name in self.users:
            if not name or any(c in name for c in ":/+#\n") or name != name.strip():
                raise ValueError(f"bad user name {name!r}")
        passwd = os.path.join(self.workdir, "passwd")
        with open(passwd, "w") as f:
            for name, pw in self.users.items():
                f.write(f"{name}:{pw}\n")
        os.chmod(passwd, 0o600)
        subprocess.run([MOSQUITTO_PASSWD, "-U", passwd], check=True, capture_output=True)
        acl = os.path.join(self.workdir, "acl")
        with open(acl, "w") as f:
            f.write(f"user {self.gateway_user}\ntopic read tinysense/#\n\n"
                    "# every node writes only below its own user name\n"
                    "pattern write tinysense/%u/#\n")
        os.chmod(acl, 0o600)
        lines = [
            f"listener {self.port} {self.host}",
            "allow_anonymous false",
            f"password_file {passwd}",
            f"acl_file {acl}",
            "persistence true",
            f"persistence_location {self.workdir}/",
            "persistence_file mosquitto.db",
            "autosave_interval 300",
            "max_queued_messages 0",
            "max_inflight_messages 100",
            f"log_dest file {self.log_path}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
        ]
        if self.verbose:  # every packet, e.g. "Denied PUBLISH from ..." (ACL refusals)
            lines.append("log_type debug")
        if os.geteuid() == 0:
            lines.append("user root")  # keep access to our 0700 temp dir
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    # -- process --
    def start(self, timeout=10.0):
        if self.proc is not None and self.proc.poll() is None:
            return
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf_path],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace")
                raise RuntimeError(f"mosquitto exited ({self.proc.returncode}): {err}\n{self.log_tail()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"mosquitto did not listen on {self.host}:{self.port}\n{self.log_tail()}")

    def stop(self, timeout=10.0):
        """SIGTERM: mosquitto saves its persistence file, then exits."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def restart(self, down_s=0.0):
        self.stop()
        if down_s:
            time.sleep(down_s)
        self.start()
        self.restarts += 1

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=20):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def close(self):
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
