#!/usr/bin/env python3
"""The s3-sink's memory bound (plugins/s3-sink/README.md, "Memory") for the benchmarks.

    bench_memory.py WORKER_PROPERTIES CONNECTOR_PROPERTIES PARTITIONS LINE_BYTES BROKERS

prints "<bound in bytes> <the terms, readable>". The settings are read from the two files
(consumer.* librdkafka properties from the worker's, s3.* from the connector's), with the
defaults of librdkafka 2.0 (queued.max.messages.kbytes=65536, which the worker keeps) and the sink where
they are not set. LINE_BYTES is the longest
record line an object holds (value bytes + newline). The fixed part (the binary, libraries,
thread stacks, allocator slack) is not in it: the benchmarks allow 32 MiB for that.
"""
import sys

MiB = 1024 * 1024


def props(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def bound(worker, conn, partitions, line_bytes, brokers):
    c = lambda k, d: int(worker.get("consumer." + k, conn.get("consumer.override." + k, d)))
    s = lambda k, d: int(conn.get(k, d))
    queued = c("queued.max.messages.kbytes", 65536) * 1024  # librdkafka's default
    # A fetch response is parsed into the queue whole, so the queue overshoots its bound by
    # up to one response per broker.
    fetch = min(partitions * c("max.partition.fetch.bytes", 1048576),
                brokers * c("fetch.max.bytes", 52428800))
    batch = 500 * line_bytes  # the records of one put call (CW_SINK_BATCH_MAX)
    flush = s("flush.size", 0)
    part = s("s3.part.size", 26214400)
    per_object = min(part, flush * line_bytes) if flush > 0 else part
    objects = partitions * per_object
    queue = s("s3.upload.queue.max.bytes", 67108864)
    total = queued + fetch + batch + objects + queue
    text = (f"consumer {queued / MiB:.0f} + fetch {fetch / MiB:.0f} + put batch {batch / MiB:.1f}"
            f" + open objects {partitions} x {per_object / MiB:.2f} + upload queue {queue / MiB:.0f}"
            f" = {total / MiB:.0f} MiB")
    return total, text


if __name__ == "__main__":
    w, cn = props(sys.argv[1]), props(sys.argv[2])
    total, text = bound(w, cn, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    print(total, text)
