"""A tiny HTTP client for the http-source tests (Python's standard library only)."""
import base64
import http.client
import json
import ssl
import urllib.parse


def request(url, method, path, body=None, ctype=None, headers=None, auth=None, cafile=None,
            chunked=False, timeout=60):
    """Returns (status, headers dict, parsed JSON body or raw text)."""
    u = urllib.parse.urlsplit(url)
    if u.scheme == "https":
        ctx = ssl.create_default_context(cafile=cafile)
        c = http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout, context=ctx)
    else:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    h = dict(headers or {})
    if ctype:
        h["Content-Type"] = ctype
    if auth:
        h["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    data = body if body is None or isinstance(body, bytes) else (
        body if isinstance(body, str) else json.dumps(body)).encode()
    if chunked:
        c.request(method, path, body=iter([data[i:i + 1000] for i in range(0, len(data), 1000)]),
                  headers=h, encode_chunked=True)
    else:
        c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    raw = r.read()
    c.close()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw.decode("utf-8", "replace")
    return r.status, {k.lower(): v for k, v in r.getheaders()}, parsed


def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
