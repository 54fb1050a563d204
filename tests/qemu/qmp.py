#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Small QMP client for the QEMU process-core tests.

  qmp.py SOCKET stop|cont|quit|status
  qmp.py SOCKET hmp 'info mtree -f'        print a monitor command's text
  qmp.py SOCKET dump PATH                  dump-guest-memory (ELF, no paging)
"""
import json
import socket
import sys
import time


def connect(path, timeout=20.0):
    end = time.time() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.time() > end:
                raise
            time.sleep(0.2)


class Client:
    def __init__(self, path):
        self.s = connect(path)
        self.buf = b""
        self.recv()                      # greeting
        self.call("qmp_capabilities")

    def recv(self):
        while b"\n" not in self.buf:
            data = self.s.recv(1 << 16)
            if not data:
                raise RuntimeError("QMP socket closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, **args):
        req = {"execute": cmd}
        if args:
            req["arguments"] = args
        self.s.sendall(json.dumps(req).encode() + b"\n")
        while True:
            msg = self.recv()
            if "event" in msg:
                continue
            if "error" in msg:
                raise RuntimeError("%s: %s" % (cmd, msg["error"]))
            return msg.get("return")


def main():
    path, op = sys.argv[1], sys.argv[2]
    c = Client(path)
    if op in ("stop", "cont"):
        c.call(op)
    elif op == "status":
        print(c.call("query-status")["status"])
    elif op == "quit":
        try:
            c.call("quit")
        except RuntimeError:
            pass
    elif op == "hmp":
        sys.stdout.write(c.call("human-monitor-command", **{"command-line": sys.argv[3]}))
    elif op == "dump":
        c.call("dump-guest-memory", paging=False, protocol="file:" + sys.argv[3])
        end = time.time() + 60
        while c.call("query-dump")["status"] not in ("completed", "failed"):
            if time.time() > end:
                raise RuntimeError("dump timed out")
            time.sleep(0.1)
        st = c.call("query-dump")["status"]
        if st != "completed":
            raise RuntimeError("dump " + st)
    else:
        raise SystemExit("unknown operation " + op)


if __name__ == "__main__":
    main()
