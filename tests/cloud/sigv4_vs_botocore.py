#!/usr/bin/python3
"""Checks our AWS Signature Version 4 against botocore's on the same requests.

usage: sigv4_vs_botocore.py SIGV4_SIGN_BINARY
"""
import datetime
import hashlib
import subprocess
import sys
from unittest import mock

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TOOL = sys.argv[1]
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def ours(method, url, date, region, headers, body, token):
    args = [TOOL, method, url, date, region, "s3", KEY, SECRET] + ([token] if token else [])
    args += [f"{k}:{v}" for k, v in headers.items()]
    out = subprocess.run(args, input=body, capture_output=True, check=True).stdout.decode()
    return dict(line.split(": ", 1) for line in out.strip().splitlines())


def boto(method, url, date, region, headers, body, token):
    req = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    req.headers["x-amz-content-sha256"] = hashlib.sha256(body).hexdigest()
    with mock.patch("botocore.auth.datetime") as m:
        m.datetime.utcnow.return_value = datetime.datetime.strptime(date, "%Y%m%dT%H%M%SZ")
        S3SigV4Auth(Credentials(KEY, SECRET, token), "s3", region).add_auth(req)
    return dict(req.headers)


cases = [
    ("GET", "http://127.0.0.1:4568/bench/a%20b/.zarray", "us-east-1", {}, b"", None),
    ("PUT", "https://bucket.s3.eu-west-1.amazonaws.com/sst.zarr/sst/0.0.0", "eu-west-1",
     {"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfw==", "Content-Type": "application/octet-stream"}, b"chunk bytes", None),
    ("GET", "http://127.0.0.1:4568/bench/?list-type=2&prefix=pg.zarr%2F&continuation-token=abc%3D%3D", "us-east-1",
     {}, b"", None),
    ("GET", "https://h.example/b/k%C3%A9y", "us-west-2", {"Range": "bytes=0-9"}, b"", "SESSIONTOKEN"),
    ("POST", "http://127.0.0.1:4568/b/big.nc?uploadId=2~abc&partNumber=3", "us-east-1", {}, b"<xml/>", None),
]
bad = 0
for method, url, region, headers, body, token in cases:
    o = ours(method, url, "20150830T123600Z", region, headers, body, token)
    b = boto(method, url, "20150830T123600Z", region, headers, body, token)
    if o["Authorization"] != b["Authorization"]:
        bad += 1
        print(f"{method} {url}:\n  ours     {o['Authorization']}\n  botocore {b['Authorization']}", file=sys.stderr)
sys.exit(1 if bad else 0)
