#!/usr/bin/env python3
"""A stand-in for the AWS credential endpoints the S3 sink asks, on 127.0.0.1:PORT.

EC2 instance metadata, IMDSv2: PUT /latest/api/token (needs the TTL header) gives a session
token; GETs under /latest/meta-data/ need it (401 without). The container endpoint is GET
/container/creds, answered only with `Authorization: <--auth-token>` (403 otherwise).
STS AssumeRoleWithWebIdentity is POST / (or GET /?...) with the form parameters Action,
Version, RoleArn (must be --role-arn: else 403 AccessDenied), RoleSessionName and
WebIdentityToken (must equal the current content of --web-token-file, read on every
request: else 400 InvalidIdentityToken), answered in STS's XML.
STS AssumeRole (POST, the same form with RoleArn and RoleSessionName) must be signed with
SigV4 for service sts with the credentials this server hands out (the signature is
recomputed with the secret of --assume-base (KEY:SECRET, default those handed out): else
403 SignatureDoesNotMatch); the Credential scope (access key, date, region),
X-Amz-Security-Token and ExternalId are recorded, one JSON line per call, in --assume-log;
the role must be --assume-role-arn (else 403 AccessDenied) and, with --assume-external-id,
ExternalId must equal it (else 403 AccessDenied); the answer's credentials are
--assumed-keys (KEY:SECRET, default ASSUMED-KEY:ASSUMED-SECRET) with the session token
ASSUMED-SESSION-TOKEN-<n>.
Credentials are s3rver's S3RVER / S3RVER with a session token, expiring --expires-in
seconds after each answer. Every credentials answer adds one to --count-file (which a
restarted server goes on counting from).
"""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import re
import threading
import urllib.parse
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


STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def sts_error(status, code, message):
    return status, ('<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code>'
                    "<Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
                    % (STS_NS, code, message))


def assume_role_with_web_identity(form):
    def one(k):
        v = form.get(k, [])
        return v[0] if len(v) == 1 else None
    if one("Action") != "AssumeRoleWithWebIdentity" or one("Version") != "2011-06-15":
        return sts_error(400, "InvalidAction", "unknown Action or Version")
    if not one("RoleSessionName"):
        return sts_error(400, "ValidationError", "RoleSessionName is required")
    with open(args.web_token_file) as f:
        want = f.read().strip()
    if not want or one("WebIdentityToken") != want:
        return sts_error(400, "InvalidIdentityToken", "Token signature is invalid")
    if one("RoleArn") != args.role_arn:
        return sts_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    c = credentials()
    return 200, ('<AssumeRoleWithWebIdentityResponse xmlns="%s"><AssumeRoleWithWebIdentityResult>'
                 "<Audience>sts.amazonaws.com</Audience><Credentials>"
                 "<AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                 "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
                 "<SubjectFromWebIdentityToken>system:serviceaccount:cw:sink</SubjectFromWebIdentityToken>"
                 "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>fake</RequestId>"
                 "</ResponseMetadata></AssumeRoleWithWebIdentityResponse>"
                 % (STS_NS, c["AccessKeyId"], c["SecretAccessKey"], c["Token"], c["Expiration"]))


def sigv4_ok(method, path, headers, body, key, date, region, signed, signature):
    """Recomputes a header-signed SigV4 request (AWS's published algorithm) with the secret of
    the credentials this server hands out (S3RVER)."""
    def h(data):
        return hashlib.sha256(data).hexdigest()
    canon_headers = "".join("%s:%s\n" % (n, " ".join((headers.get(n) or "").split()))
                            for n in signed.split(";"))
    payload = headers.get("x-amz-content-sha256") or h(body)
    creq = "\n".join([method, path, "", canon_headers, signed, payload])
    scope = "%s/%s/sts/aws4_request" % (date, region)
    sts = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date") or "", scope, h(creq.encode())])
    base_key, base_secret = args.assume_base.split(":", 1)
    k = ("AWS4" + base_secret).encode()
    for part in (date, region, "sts", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return key == base_key and hmac.new(k, sts.encode(), hashlib.sha256).hexdigest() == signature


def assume_role(form, headers, body=b""):
    def one(k):
        v = form.get(k, [])
        return v[0] if len(v) == 1 else None
    auth = headers.get("Authorization") or ""
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/sts/aws4_request, "
                 r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", auth)
    if not m:
        return sts_error(400, "IncompleteSignature", "the request is not signed with SigV4 for sts")
    if not sigv4_ok("POST", "/", headers, body, m.group(1), m.group(2), m.group(3), m.group(4),
                    m.group(5)):
        return sts_error(403, "SignatureDoesNotMatch", "the request signature does not match")
    with lock:
        with open(args.assume_log, "a") as f:
            f.write(json.dumps({"key": m.group(1), "region": m.group(3),
                                "token": headers.get("X-Amz-Security-Token"),
                                "role": one("RoleArn"), "session": one("RoleSessionName"),
                                "external_id": one("ExternalId")}) + "\n")
    if one("Version") != "2011-06-15" or not one("RoleSessionName"):
        return sts_error(400, "ValidationError", "Version and RoleSessionName are required")
    if one("RoleArn") != args.assume_role_arn:
        return sts_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRole")
    if args.assume_external_id and one("ExternalId") != args.assume_external_id:
        return sts_error(403, "AccessDenied", "Not authorized to perform sts:AssumeRole "
                         "(the trust policy wants another external id)")
    c = credentials()
    ak, sk = args.assumed_keys.split(":", 1)
    return 200, ('<AssumeRoleResponse xmlns="%s"><AssumeRoleResult><Credentials>'
                 "<AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s"
                 "</SecretAccessKey><SessionToken>ASSUMED-SESSION-TOKEN-%s</SessionToken>"
                 "<Expiration>%s</Expiration></Credentials></AssumeRoleResult>"
                 "</AssumeRoleResponse>" % (STS_NS, ak, sk, c["Token"].rsplit("-", 1)[1],
                                             c["Expiration"]))


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

    def sts(self, query, raw=b""):
        form = urllib.parse.parse_qs(query)
        if form.get("Action") == ["AssumeRole"]:
            status, body = assume_role(form, self.headers, raw)
        else:
            status, body = assume_role_with_web_identity(form)
        self.answer(status, body, "text/xml")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n)
        body = raw.decode()
        if self.path != "/" or not self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"):
            return self.answer(404, "not found")
        self.sts(body, raw)

    def do_GET(self):
        if self.path.startswith("/?"):
            return self.sts(self.path[2:])
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
    p.add_argument("--role-arn", default="arn:aws:iam::123456789012:role/cw-irsa-role")
    p.add_argument("--web-token-file", default="/nonexistent")
    p.add_argument("--assume-role-arn", default="arn:aws:iam::123456789012:role/msk-client")
    p.add_argument("--assume-log", default=os.devnull)
    p.add_argument("--assume-base", default="S3RVER:S3RVER")
    p.add_argument("--assumed-keys", default="ASSUMED-KEY:ASSUMED-SECRET")
    p.add_argument("--assume-external-id", default="")
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
