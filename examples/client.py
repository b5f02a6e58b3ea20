#!/usr/bin/env python3
# The wire protocol from Python, as the README shows it: one log, one frame (a 4-byte big-endian length,
# then the JSON), one reply ("OK\n" or "ERROR: <reason>\n"). Standard library only.
#
#   python3 examples/client.py                  # the daemon's default socket, /tmp/logdaemon.sock
#   python3 examples/client.py /tmp/other.sock  # another socket
import socket
import json
import struct
import sys
import time

sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(sys.argv[1] if len(sys.argv) > 1 else '/tmp/logdaemon.sock')

log = {
    # Now, in UTC: the daemon refuses times outside its window (by default 30 days back, 1 hour ahead).
    "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    "level": "info",
    "message": "Hello from Python"
}

payload = json.dumps(log).encode('utf-8')
length = struct.pack('>I', len(payload))

sock.sendall(length + payload)
response = sock.recv(1024)
print(response.decode())  # "OK\n"
