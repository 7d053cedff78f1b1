"""The access-control suite (issue 13): server CPU per handshake with no token, an HS256 token
and an ES256 token, and CPU per delivered snapshot at 10,000 subscribers with and without a
token, the configurations taking turns in one run. Tokens travel as ?access_token= (what
levelcast-load can send); where a token travels does not change the work of verifying it."""
import sys
import tempfile
from pathlib import Path

from . import report
from .runner import measured_run
from .systems import LEVELCAST_URING, System
from .targets import alternate, by_system, document_for, server_cpu_per_operation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "integration"))
import authtokens  # noqa: E402  (keys by the openssl command, tokens as the tests make them)


def systems_with_keys(folder):
    """levelcast without auth, and with an HMAC secret and an EC key, asked with each token."""
    keys = authtokens.KeyFolder(folder)
    body = authtokens.claims(["*"], ttl=4 * 3600)
    auth = (*LEVELCAST_URING.options, *keys.server_options())
    hs256 = System("hs256", "levelcast", auth, "levelcast, HS256 token",
                   path="/levels?access_token=" + authtokens.hs256(keys.secret, body))
    es256 = System("es256", "levelcast", auth, "levelcast, ES256 token",
                   path="/levels?access_token=" + keys.es256(body))
    return LEVELCAST_URING, hs256, es256


def access(cfg, slots=64, connect_rate=2000, connections=10000, rate=10):
    with tempfile.TemporaryDirectory(prefix="levelcast-bench-keys-") as folder:
        plain, hs256, es256 = systems_with_keys(folder)
        handshakes = alternate(cfg, [plain, hs256, es256], lambda s, rep: measured_run(
            s, cfg, "connect", slots, 1, rep, connect_rate=connect_rate, source_ips=8,
            path=s.path))
        deliveries = alternate(cfg, [plain, hs256], lambda s, rep: measured_run(
            s, cfg, "fanout", connections, rate, rep))
    cpu = {"server_cpu_us": server_cpu_per_operation}
    summary = {"handshake": by_system(handshakes, [plain, hs256, es256], cpu),
               "delivery": by_system(deliveries, [plain, hs256],
                                     {"server_cpu_us": server_cpu_per_operation,
                                      **report.FANOUT_FIGURES})}
    base = report.median(summary["handshake"]["levelcast"]["server_cpu_us"])
    summary["added_us_per_handshake"] = {
        name: round(report.median(summary["handshake"][name]["server_cpu_us"]) - base, 2)
        for name in ("hs256", "es256")}
    summary["delivery_ratio_hs256_plain"] = report.ratio(
        report.median(summary["delivery"]["hs256"]["server_cpu_us"]),
        report.median(summary["delivery"]["levelcast"]["server_cpu_us"]))
    for run in handshakes + deliveries:  # the tokens are secrets of a throw-away key: drop them
        run.get("load", {}).pop("url", None)
    return document_for("access", cfg, {"slots": slots, "connect_rate": connect_rate,
                                        "connections": connections, "rate_hz": rate},
                        handshakes + deliveries, summary)
