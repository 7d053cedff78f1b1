"""Tokens and keys for the access tests: HS256 by hand (hmac), ES256 and RS256 with keys the
`openssl` command makes, signed through python3-cryptography. Owns nothing but a key folder."""

import base64
import hashlib
import hmac
import json
import os
import subprocess
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def claims(topics=("*",), ttl=600, **extra):
    body = {"exp": int(time.time()) + ttl, "topics": list(topics)}
    body.update(extra)
    return body


def signing_input(header, payload):
    return (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
            b64url(json.dumps(payload, separators=(",", ":")).encode()))


def hs256(secret, payload, header=None):
    start = signing_input(header or {"alg": "HS256", "typ": "JWT"}, payload)
    mac = hmac.new(secret, start.encode("ascii"), hashlib.sha256).digest()
    return start + "." + b64url(mac)


class KeyFolder:
    """A temporary folder with an HMAC secret, an EC P-256 and an RSA 2048 key pair."""

    def __init__(self, folder):
        self.folder = folder
        self.secret = base64.b64encode(os.urandom(36))
        self.secret_file = os.path.join(folder, "secret")
        with open(self.secret_file, "wb") as out:
            out.write(self.secret + b"\n")
        self.ec_private, self.ec_public = self._pair("studio-ec", ["-algorithm", "EC", "-pkeyopt",
                                                                   "ec_paramgen_curve:P-256"])
        self.rsa_private, self.rsa_public = self._pair("studio-rsa", ["-algorithm", "RSA", "-pkeyopt",
                                                                     "rsa_keygen_bits:2048"])

    def _pair(self, name, options):
        private = os.path.join(self.folder, name + ".key")
        public = os.path.join(self.folder, name + ".pem")
        subprocess.run(["openssl", "genpkey", *options, "-out", private], check=True,
                       capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", private, "-pubout", "-out", public], check=True,
                       capture_output=True)
        return private, public

    def _private_key(self, path):
        with open(path, "rb") as f:
            return serialization.load_pem_private_key(f.read(), password=None)

    def es256(self, payload, kid="studio-ec"):
        header = {"alg": "ES256"} if kid is None else {"alg": "ES256", "kid": kid}
        start = signing_input(header, payload)
        der = self._private_key(self.ec_private).sign(start.encode(), ec.ECDSA(hashes.SHA256()))
        r, s = utils.decode_dss_signature(der)
        return start + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def rs256(self, payload, kid="studio-rsa"):
        start = signing_input({"alg": "RS256", "kid": kid}, payload)
        signature = self._private_key(self.rsa_private).sign(start.encode(), padding.PKCS1v15(),
                                                             hashes.SHA256())
        return start + "." + b64url(signature)

    def public_pem(self):
        with open(self.rsa_public, "rb") as f:
            return f.read()

    def server_options(self):
        return ["--auth-hmac-secret-file", self.secret_file, "--auth-public-key", self.ec_public,
                "--auth-public-key", self.rsa_public]
