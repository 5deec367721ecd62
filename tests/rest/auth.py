"""Basic authentication as Kafka's BasicAuthSecurityRestExtension: 401 without or with wrong
credentials, 200 with the right ones, from a credentials file or a JAAS file naming it; the
password never reaches the log, even at TRACE; a misconfiguration stops the worker at start."""
import os
import subprocess

from restlib import WORKER, Worker, check, check_eq, done, is_error, tmpdir

PW = "Pa55-w0rd-never-logged"
creds = os.path.join(tmpdir(), "credentials.properties")
with open(creds, "w") as f:
    f.write("# user=password, as Kafka's PropertyFileLoginModule reads them\n")
    f.write("admin=%s\nreader: other-secret-pw\n" % PW)

ext = "rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension." \
      "BasicAuthSecurityRestExtension"
w = Worker("auth", extra=[ext, "rest.basic.auth.credentials.file=" + creds, "log.level=trace"])

r = w.request("GET", "/connectors")
is_error(r, 401, "no credentials")
check_eq(r.headers.get("WWW-Authenticate"), 'Basic realm="connect-worker"',
         "401 asks for Basic credentials")
is_error(w.request("GET", "/", auth=("admin", "wrong")), 401, "a wrong password")
is_error(w.request("GET", "/", auth=("nobody", PW)), 401, "an unknown user")
is_error(w.request("GET", "/", headers={"Authorization": "Bearer abc"}), 401, "another scheme")
is_error(w.request("GET", "/", headers={"Authorization": "Basic !!!"}), 401, "bad base64")
check_eq(w.request("GET", "/", auth=("admin", PW)).status, 200, "the right credentials: 200")
check_eq(w.request("GET", "/health", auth=("reader", "other-secret-pw")).status, 200,
         "a 'user: password' line works too")
# A body is refused before it is read.
r = w.request("PUT", "/admin/loggers/root", {"level": "ERROR"})
is_error(r, 401, "a PUT without credentials")
r = w.request("GET", "/admin/loggers/root", auth=("admin", PW))
check_eq(r.json["level"], "TRACE", "the refused PUT changed nothing")
check_eq(w.stop(), 0, "clean stop")
log = w.log()
check(PW not in log and "other-secret-pw" not in log, "no password in the TRACE log")
check("basic authentication: 2 user(s)" in log, "the log says how many users")

# The JAAS form: the KafkaConnect entry names the credentials file.
jaas = os.path.join(tmpdir(), "jaas.conf")
with open(jaas, "w") as f:
    f.write('KafkaConnect {\n  org.apache.kafka.connect.rest.basic.auth.extension.'
            'PropertyFileLoginModule required\n  file="%s";\n};\n' % creds)
w = Worker("jaas", extra=["rest.extension.classes=BasicAuthSecurityRestExtension",
                          "rest.basic.auth.jaas.config=" + jaas])
is_error(w.request("GET", "/"), 401, "JAAS: no credentials")
check_eq(w.request("GET", "/", auth=("admin", PW)).status, 200, "JAAS: right credentials")
w.stop()

# Misconfigurations: --validate and start-up report them (exit 3), naming the key.
for name, lines, key in [
        ("noauthfile", [ext], "rest.extension.classes"),
        ("unknownext", ["rest.extension.classes=com.example.Other"], "rest.extension.classes"),
        ("missingfile", [ext, "rest.basic.auth.credentials.file=/nonexistent/creds"],
         "/nonexistent/creds"),
        ("badlistener", ["listeners=ftp://127.0.0.1:1"], "listeners")]:
    bad = Worker(name, extra=lines, start=False)
    p = subprocess.run([WORKER, bad.props] + bad.connectors, capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 3 and key in p.stderr,
          "%s: the worker refuses to start naming %s (exit %d: %s)" % (
              name, key, p.returncode, p.stderr.strip()[-300:]))
done()
