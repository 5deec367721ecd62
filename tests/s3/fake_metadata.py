#!/usr/bin/env python3
"""A stand-in for the AWS credential endpoints the S3 sink asks, on 127.0.0.1:PORT.

EC2 instance metadata, IMDSv2: PUT /latest/api/token (needs the TTL header) gives a session
token; GETs under /latest/meta-data/ need it (401 without). The container endpoint is GET
/container/creds, answered only with `Authorization: <--auth-token>` (403 otherwise).
Credentials are s3rver's S3RVER / S3RVER with a session token, expiring --expires-in
seconds after each answer. Every credentials answer adds one to --count-file (which a
restarted server goes on counting from).
"""
import argparse
import datetime
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IMDS_TOKEN = "imds-session-token-do-not-log"
ROLE = "cw-test-role"
PREFIX = "/latest/meta-data/iam/security-credentials/"

args = None
served = 0
lock = threading.Lock()


def credentials():
    global served
    with lock:
        served += 1
        n = served
        tmp = args.count_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % n)
        os.replace(tmp, args.count_file)
    exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=args.expires_in)
    return {
        "Code": "Success",
        "Type": "AWS-HMAC",
        "AccessKeyId": "S3RVER",
        "SecretAccessKey": "S3RVER",
        "Token": "FAKE-SESSION-TOKEN-%d" % n,
        "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        if self.path != "/latest/api/token":
            return self.answer(404, "not found")
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.answer(400, "missing TTL header")
        self.answer(200, IMDS_TOKEN)

    def do_GET(self):
        if self.path == "/container/creds":
            if self.headers.get("Authorization") != args.auth_token:
                return self.answer(403, "bad authorization token")
            return self.answer(200, json.dumps(credentials()), "application/json")
        if self.path.startswith("/latest/meta-data/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.answer(401, "IMDSv2 token required")
            if self.path == PREFIX:
                return self.answer(200, ROLE + "\n")
            if self.path == PREFIX + ROLE:
                return self.answer(200, json.dumps(credentials()), "application/json")
        self.answer(404, "not found")

    def log_message(self, fmt, *a):  # quiet: the test reads the count file
        pass


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--expires-in", type=int, default=3600)
    p.add_argument("--auth-token", default="container-auth-token")
    p.add_argument("--count-file", required=True)
    args = p.parse_args()
    global served
    if os.path.exists(args.count_file):
        with open(args.count_file) as f:
            served = int(f.read().strip() or 0)
    else:
        with open(args.count_file, "w") as f:
            f.write("0\n")
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
