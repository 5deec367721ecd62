#!/usr/bin/env python3
"""Every answer of http-source that is not a plain success, status and body, plus the exact
shapes of the successes (REST Proxy v2's ProduceResponse, Kinesis' PutRecord(s)) checked
against what kcat reads back. usage: errors.py URL BOOTSTRAP"""
import json
import subprocess
import sys

from hsclient import check, request

url, bootstrap = sys.argv[1], sys.argv[2]
JSONV2 = "application/vnd.kafka.json.v2+json"
BIN = "application/vnd.kafka.binary.v2+json"


def expect(status, code, method, path, body=None, ctype=JSONV2, msg_has="", **kw):
    st, h, b = request(url, method, path, body, ctype, **kw)
    what = "%s %s (%s)" % (method, path, ctype)
    check(st == status, "%s: status %s, expected %s; body %s" % (what, st, status, b))
    check(isinstance(b, dict) and list(b) == ["error_code", "message"],
          "%s: body %r is not REST Proxy's error shape" % (what, b))
    check(b["error_code"] == code, "%s: error_code %s, expected %s" % (what, b["error_code"], code))
    check(msg_has in b["message"], "%s: message %r lacks %r" % (what, b["message"], msg_has))
    return h


def kcat(topic, fmt):
    out = subprocess.run(["kcat", "-b", bootstrap, "-C", "-t", topic, "-e", "-q", "-f", fmt],
                         check=True, capture_output=True, timeout=30)
    return out.stdout.decode().splitlines()


# routing and methods
expect(404, 404, "GET", "/nope", None, None, "HTTP 404 Not Found")
expect(404, 404, "POST", "/topics/bad%20name", {"records": [{"value": 1}]})
expect(405, 405, "DELETE", "/topics/errs", None, None, "HTTP 405 Method Not Allowed")
expect(405, 405, "GET", "/streams/errs/record", None, None)
# media types
expect(415, 415, "POST", "/topics/errs", {"records": [{"value": 1}]}, "application/json",
       "HTTP 415 Unsupported Media Type")
expect(415, 415, "POST", "/topics/errs", {"records": [{"value": 1}]}, "text/plain")
expect(415, 415, "POST", "/topics/errs", {"records": [{"value": 1}]}, None)
expect(415, 415, "PUT", "/streams/errs/record", {"Data": 1, "PartitionKey": "k"}, "text/plain")
for fmt in ("avro", "protobuf", "jsonschema"):
    expect(422, 42207, "POST", "/topics/errs", {"records": [{"value": 1}]},
           "application/vnd.kafka.%s.v2+json" % fmt, "Schema Registry not defined")
# bodies
expect(400, 400, "POST", "/topics/errs", '{"records":[', JSONV2, "Unexpected")
expect(400, 400, "POST", "/topics/errs", '{"records":[{"value":1}]}"', JSONV2, "Unexpected")
expect(400, 400, "POST", "/topics/errs", '{"records":[{"value":\v1}]}', JSONV2, "Unexpected")
expect(400, 400, "POST", "/topics/errs", '{"records":[{"value":[1,}]}', JSONV2, "Unexpected")
expect(422, 422, "POST", "/topics/errs", {"records": [{"value": 1}, 7]}, JSONV2, "records[1]")
expect(422, 422, "POST", "/topics/errs", {"records": [{"value": 1, "partition": 1.0}]})
expect(422, 422, "POST", "/topics/errs", {"records": []}, JSONV2, "records")
expect(422, 422, "POST", "/topics/errs", {"other": 1})
expect(422, 422, "POST", "/topics/errs", [1, 2])
expect(422, 422, "POST", "/topics/errs", {"records": [5]}, JSONV2, "records[0]")
expect(422, 422, "POST", "/topics/errs", {"records": [{"value": 1, "partition": -1}]})
expect(422, 42206, "POST", "/topics/errs", {"records": [{"value": "%%%"}]}, BIN, "base64")
expect(422, 42206, "POST", "/topics/errs", {"records": [{"value": 12}]}, BIN, "base64")
expect(422, 42208, "POST", "/topics/errs", {"records": [{"value": i} for i in range(6)]},
       JSONV2, "Too many entries")
expect(422, 422, "PUT", "/streams/errs/record", {"PartitionKey": "k"}, "application/json",
       "Data")
expect(422, 422, "PUT", "/streams/errs/records", {"Records": []}, "application/json")
# size: announced by Content-Length, and sent chunked without one
big = {"records": [{"value": "x" * 3000}]}
expect(413, 413, "POST", "/topics/errs", big, JSONV2, "Too Large")
expect(413, 413, "POST", "/topics/errs", big, JSONV2, "Too Large", chunked=True)
# a record Kafka cannot take (no such partition): its own error in a 200, as REST Proxy does
st, _, b = request(url, "POST", "/topics/errs/partitions/99", {"records": [{"value": 1}]}, JSONV2)
check(st == 200 and b["offsets"][0]["error_code"] == 40402 and b["offsets"][0]["offset"] is None,
      "unknown partition: %s %s" % (st, b))

# successes, exact shapes, and what Kafka holds
st, h, b = request(url, "POST", "/topics/errs", {"records": [
    {"value": {"a": 1.5, "b": "x"}}, {"key": "k1", "value": [1, 2], "partition": 1},
    {"key": None, "value": None}]}, JSONV2)
check(st == 200 and h["content-type"] == "application/vnd.kafka.v2+json", "json.v2: %s %s" % (st, h))
check(list(b) == ["offsets", "key_schema_id", "value_schema_id"] and
      b["key_schema_id"] is None and b["value_schema_id"] is None, "json.v2 body %r" % b)
check([list(o) for o in b["offsets"]] == [["partition", "offset", "error_code", "error"]] * 3,
      "offset entry shape %r" % b)
check(all(o["error_code"] is None and o["error"] is None for o in b["offsets"]), "errors %r" % b)
check(b["offsets"][1]["partition"] == 1, "explicit partition ignored: %r" % b)
held = {(int(p), int(o)): (k, v) for p, o, k, v in
        (line.split("|", 3) for line in kcat("errs", "%p|%o|%k|%s\n"))}
# the values are the bytes the client sent (json.dumps puts a space after ':' and ',')
want = [("", '{"a": 1.5, "b": "x"}'), ('"k1"', "[1, 2]"), ("", "")]
for o, w in zip(b["offsets"], want):
    check(held.get((o["partition"], o["offset"])) == w,
          "Kafka holds %r at %s/%s, expected %r" % (held.get((o["partition"], o["offset"])),
                                                    o["partition"], o["offset"], w))
# a value reaches Kafka byte for byte as sent: no reformatting of reals (jansson would write
# -89.9787 as -89.978700000000003), of 1.50, of integers beyond int64, of escapes or spacing
sent = '{"lat": -89.9787, "lng":1.50, "big":123456789012345678901, "s":"C\\u00f4te", "e":1E+2}'
st, _, b = request(url, "POST", "/topics/errs/partitions/0",
                   '{"records":[{"key":"k\\u00e9","value":%s}]}' % sent, JSONV2)
check(st == 200 and b["offsets"][0]["offset"] is not None, "exact value: %s %s" % (st, b))
got = [l for l in kcat("errs", "%p|%o|%k|%s\n") if l.startswith("0|%d|" % b["offsets"][0]["offset"])]
check(got == ['0|%d|"k\\u00e9"|%s' % (b["offsets"][0]["offset"], sent)],
      "value not as sent: %r, sent %r" % (got, sent))
# binary.v2 (and vnd.kafka.v2+json, which REST Proxy 5.x/6.x took as binary): JsonConverter
# writes the bytes as a base64 JSON string, as Kafka Connect's JsonConverter writes byte[]
for ct in (BIN, "application/vnd.kafka.v2+json"):
    st, _, b = request(url, "POST", "/topics/errs/partitions/0",
                       {"records": [{"key": "a2V5", "value": "aGVsbG8="}]}, ct)
    check(st == 200 and b["offsets"][0]["partition"] == 0, "%s: %s %s" % (ct, st, b))
    got = [l for l in kcat("errs", "%p|%o|%k|%s\n") if l.startswith("0|%d|" % b["offsets"][0]["offset"])]
    check(got == ['0|%d|key|"aGVsbG8="' % b["offsets"][0]["offset"]], "%s in Kafka: %r" % (ct, got))
# Kinesis-style
st, h, b = request(url, "PUT", "/streams/errs/record",
                   {"StreamName": "errs", "Data": {"x": 1}, "PartitionKey": "pk"}, "application/json")
check(st == 200 and list(b) == ["SequenceNumber", "ShardId"] and b["ShardId"].startswith("shardId-"),
      "PutRecord: %s %r" % (st, b))
st, h, b = request(url, "PUT", "/streams/errs/records", {"StreamName": "errs", "Records": [
    {"Data": {"y": 1}, "PartitionKey": "a"}, {"data": "text", "partition-key": "b"}]},
    "application/json")
check(st == 200 and b["FailedRecordCount"] == 0 and len(b["Records"]) == 2 and
      all(list(r) == ["SequenceNumber", "ShardId"] for r in b["Records"]), "PutRecords %r" % b)
# metadata
st, _, b = request(url, "GET", "/topics")
check(st == 200 and "errs" in b, "GET /topics: %s %r" % (st, b))
st, _, b = request(url, "GET", "/topics/errs")
check(st == 200 and b["name"] == "errs" and len(b["partitions"]) == 2 and
      b["partitions"][0]["replicas"][0]["leader"] is True, "GET /topics/errs: %r" % b)
print("errors and shapes OK")
