#!/usr/bin/env python3
"""A TCP relay to a PostgreSQL on loopback that turns bad on cue.

usage: proxy.py TARGET_PORT PORT_FILE FAULT_FILE MODE
Relays 127.0.0.1:(a free port, written to PORT_FILE) to 127.0.0.1:TARGET_PORT
until FAULT_FILE exists. Then it drops every relayed connection and, by MODE:
  hang    keeps accepting connections and never answers them (a proxy with
          no backend, a black-holed server);
  refuse  closes its listening socket (connections are refused at once).
Runs until killed."""
import os
import selectors
import socket
import sys

target_port, port_file, fault_file, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
sel = selectors.DefaultSelector()
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(256)
listener.setblocking(False)
sel.register(listener, selectors.EVENT_READ, "accept")
with open(port_file + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)

pairs = {}  # socket -> its peer
held = []   # accepted while hanging: kept open, never read
faulted = False

def drop(s):
    peer = pairs.pop(s, None)
    for x in (s, peer):
        if x is None:
            continue
        pairs.pop(x, None)
        try:
            sel.unregister(x)
        except (KeyError, ValueError):
            pass
        x.close()

while True:
    if not faulted and os.path.exists(fault_file):
        faulted = True
        for s in list(pairs):
            drop(s)
        if mode == "refuse":
            sel.unregister(listener)
            listener.close()
    for key, _ in sel.select(timeout=0.05):
        s = key.fileobj
        if key.data == "accept":
            client, _ = listener.accept()
            if faulted:
                held.append(client)
                continue
            server = socket.create_connection(("127.0.0.1", target_port))
            for x in (client, server):  # blocking: recv only once readable
                x.setblocking(True)
                x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(x, selectors.EVENT_READ, "relay")
            pairs[client], pairs[server] = server, client
            continue
        if s not in pairs:
            continue
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            drop(s)
            continue
        try:
            pairs[s].sendall(data)
        except OSError:
            drop(s)
