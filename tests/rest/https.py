"""HTTPS listeners with a PEM keystore made by openssl: an http and an https listener side by
side, a certificate the client verifies against its CA, an encrypted key with
ssl.key.password, and ssl.client.auth=required with a truststore."""
import os
import ssl
import subprocess

from restlib import WORKER, Worker, check, check_eq, done, free_port, is_error, make_certs, tmpdir

d = tmpdir()
make_certs(d)
# Kafka's PEM keystore: the private key and the certificate chain in one file.
with open(d + "/keystore.pem", "w") as f:
    f.write(open(d + "/server.key").read() + open(d + "/server.pem").read())
ctx = ssl.create_default_context(cafile=d + "/ca.pem")

hport, sport = free_port(), free_port()
w = Worker("https", listeners="http://127.0.0.1:%d,https://127.0.0.1:%d" % (hport, sport),
           extra=["listeners.https.ssl.keystore.type=PEM",
                  "listeners.https.ssl.keystore.location=" + d + "/keystore.pem",
                  "rest.advertised.listener=https"], start=False)
w.port = hport
w.start()
check_eq(w.request("GET", "/").status, 200, "the http listener")
r = w.request("GET", "/", scheme="https", context=ctx, port=sport)
check_eq(r.status, 200, "the https listener, certificate verified against the CA")
check("REST API advertised URL https://127.0.0.1:%d/" % sport in w.log(),
      "rest.advertised.listener=https advertises the https listener")
try:
    w.request("GET", "/", port=sport, timeout=5)
    plain = "answered"
except Exception as e:  # noqa: BLE001 - any failure is what we want
    plain = type(e).__name__
check(plain != "answered", "plain http to the https port gets no answer (%s)" % plain)
other = ssl.create_default_context()  # the system CAs do not know ours
try:
    w.request("GET", "/", scheme="https", context=other, port=sport, timeout=5)
    verdict = "accepted"
except ssl.SSLError as e:
    verdict = "refused: " + e.reason
check(verdict.startswith("refused"), "an unknown CA is refused by the client (%s)" % verdict)
w.stop()

# An encrypted key (ssl.key.password), https only, client certificates required.
subprocess.run(["openssl", "pkcs8", "-topk8", "-in", d + "/server.key", "-out",
                d + "/server-enc.key", "-passout", "pass:keypass-123", "-v2", "aes-256-cbc"],
               check=True)
port, hport2 = free_port(), free_port()
w = Worker("mtls", listeners="https://127.0.0.1:%d,http://127.0.0.1:%d" % (port, hport2),
           extra=["listeners.https.ssl.keystore.type=PEM",
                  "listeners.https.ssl.keystore.key=" +
                  open(d + "/server-enc.key").read().replace("\n", "\\n"),
                  "listeners.https.ssl.keystore.certificate.chain=" +
                  open(d + "/server.pem").read().replace("\n", "\\n"),
                  "listeners.https.ssl.key.password=keypass-123",
                  "listeners.https.ssl.truststore.location=" + d + "/ca.pem",
                  "listeners.https.ssl.client.auth=required", "log.level=debug"],
           start=False)
w.port = port
w.start(wait=False)
mctx = ssl.create_default_context(cafile=d + "/ca.pem")
mctx.load_cert_chain(d + "/client.pem", d + "/client.key")
w.wait_ready(scheme="https", context=mctx)
check_eq(w.request("GET", "/", scheme="https", context=mctx).status, 200,
         "a client certificate signed by the truststore: 200")
try:
    r = w.request("GET", "/", scheme="https", context=ctx, timeout=5)
    is_error(r, 401, "no client certificate")
except (ssl.SSLError, ConnectionError) as e:
    check(True, "no client certificate: the handshake fails (%s)" % e)
check_eq(w.request("GET", "/", port=hport2).status, 200,
         "an http listener beside it takes no TLS option (no client certificate asked)")
check_eq(w.stop(), 0, "clean stop")
check("keypass-123" not in w.log(), "the key password is not logged")

# A keystore that is no PEM key: the worker does not start (exit 4), naming the listener.
open(d + "/bad.pem", "w").write("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
bad = Worker("badpem", listeners="https://127.0.0.1:%d" % free_port(),
             extra=["listeners.https.ssl.keystore.location=" + d + "/bad.pem"], start=False)
p = subprocess.run([WORKER, bad.props] + bad.connectors, capture_output=True, text=True,
                   timeout=60)
check(p.returncode == 4 and "https://127.0.0.1" in p.stderr and "cannot be opened" in p.stderr,
      "a bad keystore: exit 4 naming the listener (%d: %s)" % (p.returncode, p.stderr[-300:]))
done()
