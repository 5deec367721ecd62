#!/usr/bin/env bash
# Basic auth (credentials from a file, never logged) and TLS (a certificate made with openssl
# in the test's directory): the seed's emulation posts through both; requests without
# credentials, with a wrong password, or over plain HTTP are refused.
. "$CW_SOURCE_DIR/tests/lib/common.sh"
. "$CW_SOURCE_DIR/tests/http/lib.sh"
cw_start_mock_cluster --topic sec:1
cw_make_certs "$CW_TMP"
printf '# REST Proxy style\nalice: Sup3rS3cret-pw,admin\nbob: B0b-pw-4417\n' >"$CW_TMP/users"
printf 'alice:Sup3rS3cret-pw\n' >"$CW_TMP/alice"
hs_connector "$CW_TMP/http.properties" "http.tls.cert.file=$CW_TMP/server.pem" \
    "http.tls.key.file=$CW_TMP/server.key" "http.auth.basic.file=$CW_TMP/users" \
    "http.auth.realm=kafka-rest" \
    "transforms=r" "transforms.r.type=org.apache.kafka.connect.transforms.RegexRouter" \
    "transforms.r.regex=.*\\.pin" "transforms.r.replacement=sec"
HS_SCHEME=https hs_start worker "$CW_TMP/http.properties"
python3 - "$HS_URL" "$CW_TMP/ca.pem" <<'PY' || { cw_dump_logs; cw_fail "auth/tls checks"; }
import sys, urllib.error, urllib.request
sys.path.insert(0, __import__("os").environ["CW_SOURCE_DIR"] + "/tests/http")
from hsclient import check, request
url, ca = sys.argv[1], sys.argv[2]
body = {"records": [{"value": {"x": 1}}]}
ct = "application/vnd.kafka.json.v2+json"
st, h, b = request(url, "POST", "/topics/u.pin", body, ct, cafile=ca)
check(st == 401 and b == {"error_code": 40101, "message": "Unauthorized"}, "no credentials: %s %r" % (st, b))
check(h.get("www-authenticate", "").startswith('Basic realm="kafka-rest"'), "realm: %r" % h)
st, _, b = request(url, "POST", "/topics/u.pin", body, ct, cafile=ca, auth="alice:wrong")
check(st == 401, "wrong password: %s" % st)
st, _, b = request(url, "POST", "/topics/u.pin", body, ct, cafile=ca, auth="mallory:Sup3rS3cret-pw")
check(st == 401, "unknown user: %s" % st)
st, _, b = request(url, "GET", "/topics", None, None, cafile=ca, auth="bob:B0b-pw-4417")
check(st == 200 and "sec" in b, "bob lists topics: %s %r" % (st, b))
try:
    request(url.replace("https:", "http:"), "POST", "/topics/u.pin", body, ct, auth="alice:Sup3rS3cret-pw", timeout=5)
    check(False, "plain HTTP was answered on the TLS port")
except (OSError, __import__("http.client").client.HTTPException):
    pass
PY
python3 "$CW_SOURCE_DIR/examples/pinterest/datagen.py" post --url "$HS_URL" --rows 5 \
    --cacert "$CW_TMP/ca.pem" --auth-file "$CW_TMP/alice" --acked "$CW_TMP/acked" ||
    { cw_dump_logs; cw_fail "the seed's emulation could not post over TLS with basic auth"; }
[ "$(cw_topic_count sec)" -eq 5 ] || cw_fail "expected the 5 pin rows in Kafka, got $(cw_topic_count sec)"
! grep -q "Sup3rS3cret-pw\|B0b-pw-4417" "$CW_TMP/worker.log" || cw_fail "a password reached the log"
echo "http auth/tls OK"
