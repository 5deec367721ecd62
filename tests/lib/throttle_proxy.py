#!/usr/bin/env python3
"""A TCP proxy that makes a slow link: every byte between clients and the upstream server,
both ways and over all connections together, shares one token bucket of RATE bytes/s.

    throttle_proxy.py --listen PORT --upstream HOST:PORT --rate BYTES_PER_SECOND

Listens on 127.0.0.1:PORT; prints "ready" once it does. Stops on SIGTERM.
"""
import argparse
import asyncio
import signal
import time

CHUNK = 16384


class Bucket:
    """Bytes allowed per second, shared by every connection and direction."""

    def __init__(self, rate):
        self.rate = rate
        self.tokens = 0.0
        self.last = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self, n):
        async with self.lock:
            while True:
                now = time.monotonic()
                # At most a tenth of a second of burst: the link stays slow.
                self.tokens = min(self.rate / 10, self.tokens + (now - self.last) * self.rate)
                self.last = now
                if self.tokens >= n:
                    self.tokens -= n
                    return
                await asyncio.sleep((n - self.tokens) / self.rate)


async def pipe(reader, writer, bucket):
    try:
        while True:
            data = await reader.read(min(CHUNK, max(1, int(bucket.rate / 20))))
            if not data:
                break
            await bucket.take(len(data))
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--rate", type=float, required=True)
    a = ap.parse_args()
    host, port = a.upstream.rsplit(":", 1)
    bucket = Bucket(a.rate)

    async def serve(creader, cwriter):
        try:
            ureader, uwriter = await asyncio.open_connection(host, int(port))
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pipe(creader, uwriter, bucket), pipe(ureader, cwriter, bucket))

    server = await asyncio.start_server(serve, "127.0.0.1", a.listen)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
