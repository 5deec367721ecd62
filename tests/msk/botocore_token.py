#!/usr/bin/env python3
"""The MSK IAM token as aws-msk-iam-sasl-signer-python builds it (MSKAuthTokenProvider.
__construct_auth_token), computed with botocore for fixed credentials, region and time, so the
worker's C signer can be compared with it byte for byte.

usage: botocore_token.py ACCESS_KEY SECRET_KEY SESSION_TOKEN|- REGION EPOCH_SECONDS USER_AGENT
Prints the token and, on a second line, its expiry in ms (signing time + 900 s).
"""
import base64
import datetime
import sys
from unittest import mock

import botocore.auth
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ak, sk, tok, region, epoch, ua = sys.argv[1:7]
fixed = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)


class FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return fixed.replace(tzinfo=None)

    @classmethod
    def now(cls, tz=None):
        return fixed if tz else fixed.replace(tzinfo=None)


# botocore reads the clock through datetime.datetime.utcnow (older) or
# botocore.compat.get_current_datetime (newer): fix both.
patches = [mock.patch.object(botocore.auth.datetime, "datetime", FixedDatetime)]
if hasattr(botocore.auth, "get_current_datetime"):
    patches.append(mock.patch.object(botocore.auth, "get_current_datetime",
                                     lambda *a, **k: fixed.replace(tzinfo=None)))
for p in patches:
    p.start()

creds = Credentials(ak, sk, None if tok == "-" else tok)
# As the Python signer: SigV4QueryAuth for kafka-cluster, 900 s, GET with Action, then the
# User-Agent parameter added after signing.
sig = SigV4QueryAuth(creds, "kafka-cluster", region, expires=900)
req = AWSRequest(method="GET", url="https://kafka.%s.amazonaws.com/" % region,
                 params={"Action": "kafka-cluster:Connect"})
sig.add_auth(req)
req.params = {"User-Agent": ua}
url = req.prepare().url
print(base64.urlsafe_b64encode(url.encode()).decode().rstrip("="))
print((int(epoch) + 900) * 1000)
