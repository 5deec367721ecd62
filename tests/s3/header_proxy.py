#!/usr/bin/env python3
"""A recording reverse proxy for tests: forwards every request unchanged (Host header
included, so SigV4 signatures still verify) to --upstream and appends one JSON line per
request, {"method", "path", "headers"}, to --log. s3rver accepts and ignores headers such as
x-amz-acl and SSE-C; the log shows what the sink sent.

Options that make it a store s3rver is not:
  --deny-list          bucket listings (GET with list-type= or prefix=) get 403 AccessDenied,
                       as for a policy without s3:ListBucket;
  --honour-inm         a write with If-None-Match: * whose key exists upstream gets 412
                       (s3rver ignores the header);
  --plant-after-list KEY=CLUSTER
                       right after the first listing is answered, another writer puts a small
                       object at KEY with x-amz-meta-kafka-cluster-id CLUSTER (an object that
                       appears after the sink listed)."""
import argparse, http.client, http.server, json, threading, urllib.parse

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--upstream-port", type=int, required=True)
p.add_argument("--log", required=True)
p.add_argument("--deny-list", action="store_true")
p.add_argument("--honour-inm", action="store_true")
p.add_argument("--plant-after-list")
a = p.parse_args()
lock = threading.Lock()
planted = []


def upstream(method, path, headers=(), body=None):
    c = http.client.HTTPConnection("127.0.0.1", a.upstream_port, timeout=60)
    c.request(method, path, body=body, headers=dict(headers))
    r = c.getresponse()
    data = r.read()
    c.close()
    return r, data


def is_listing(command, path):
    query = path.partition("?")[2]
    return command == "GET" and ("list-type=" in query or "prefix=" in query)


def plant(path):
    key, _, cluster = a.plant_after_list.rpartition("=")
    bucket = path.lstrip("/").split("/")[0].split("?")[0]
    upstream("PUT", "/%s/%s" % (bucket, urllib.parse.quote(key, safe="/")), [("x-amz-meta-kafka-cluster-id", cluster)],
             b'{"planted":1}\n')


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        with lock, open(a.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
        if a.deny_list and is_listing(self.command, self.path):
            return self.answer(403, b"<Error><Code>AccessDenied</Code><Message>Access Denied"
                               b"</Message></Error>")
        if a.honour_inm and self.headers.get("If-None-Match") == "*":
            r, _ = upstream("HEAD", self.path.partition("?")[0])
            if r.status == 200:
                return self.answer(412, b"<Error><Code>PreconditionFailed</Code></Error>")
        c = http.client.HTTPConnection("127.0.0.1", a.upstream_port, timeout=60)
        c.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            c.putheader(k, v)
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        # Listed already, and before the sink hears of it: no race with its next request.
        if a.plant_after_list and is_listing(self.command, self.path):
            with lock:
                if not planted:
                    planted.append(1)
                    plant(self.path)
        self.send_response_only(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        c.close()

    def answer(self, status, body):
        self.send_response_only(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", a.port), H).serve_forever()
