#!/usr/bin/python3
"""RFC 6455 conformance suite for levelcast, run over raw TCP sockets.

    conformance.py --server build/levelcast [--filter 5.3,6.4] [--jobs 16] [--show-log 30]
    conformance.py --list

Starts the server itself (twice: "main" with short handshake/close timeouts, and
"keepalive" with a fast ping interval and idle timeout), runs the cases concurrently and
prints one line per case in id order, `PASS <id> <rule> -> <expected>` or the same with
FAIL and `(got ...)`, then `N passed, M failed`. Exits 1 if any case failed.
Cases are grouped like the Autobahn TestSuite: 0 handshake, 1 framing, 2 ping/pong,
3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close, 9 limits,
10 the /levels route, 11 keep-alive, 12 permessage-deflate (RFC 7692, on a third server
started with --deflate).
"""
import argparse
import concurrent.futures
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean when CTest runs us
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases_close  # noqa: E402
import cases_deflate  # noqa: E402
import cases_fragmentation  # noqa: E402
import cases_framing  # noqa: E402
import cases_handshake  # noqa: E402
import cases_keepalive  # noqa: E402
import cases_limits  # noqa: E402
import cases_utf8  # noqa: E402
from case import Case, Env, Fail, ServerInfo  # noqa: E402
from server_process import ServerProcess, StartError  # noqa: E402
from wire import ServerViolation  # noqa: E402

SERVER_OPTIONS = {
    "main": {"handshake-timeout": 1, "close-timeout": 1, "ping-interval": 1, "idle-timeout": 3},
    "keepalive": {"handshake-timeout": 1, "close-timeout": 1, "ping-interval": 0.5,
                  "idle-timeout": 1.5},
    "deflate": {"handshake-timeout": 1, "close-timeout": 1, "deflate": None,
                "deflate-min-bytes": 0, "rate": 50},
}
MODULES = (cases_handshake, cases_framing, cases_fragmentation, cases_utf8, cases_close,
           cases_limits, cases_keepalive, cases_deflate)


def all_cases():
    cases = [case for module in MODULES for case in module.CASES]
    seen = set()
    for case in cases:
        assert case.id not in seen, f"duplicate case id {case.id}"
        seen.add(case.id)
    return sorted(cases, key=Case.sort_key)


def matches(case, prefixes):
    return not prefixes or any(case.id == p or case.id.startswith(p + ".") for p in prefixes)


def run_case(case, env):
    """'' on success, else the reason in brackets."""
    try:
        case.run(env)
        return ""
    except Fail as err:
        return f"({err})"
    except ServerViolation as err:
        return f"(got a frame no server may send: {err})"
    except Exception as err:  # a bug in the case itself, reported as such
        return f"(test error: {type(err).__name__}: {err})"


def start_servers(path, names):
    processes, env = {}, Env()
    for name in names:
        process = ServerProcess(path, name, SERVER_OPTIONS[name])
        processes[name] = process
        try:
            host, port = process.start()
        except (StartError, OSError) as err:
            print(f"note: {err}", flush=True)
            continue
        env.servers[name] = ServerInfo(host, port, process.options)
        for opt in process.dropped:
            print(f"note: server '{name}' rejected --{opt}; cases that need it will fail",
                  flush=True)
    return processes, env


def stop_servers(processes, show_log):
    """Stops every server; a server that had already exited counts as a failure."""
    failures = 0
    for name, process in processes.items():
        process.stop()
        if process.exit_code_before_stop is not None:
            print(f"FAIL server '{name}' stays up for the whole run "
                  f"(got exit code {process.exit_code_before_stop})", flush=True)
            failures += 1
        if show_log and process.log is not None:
            for line in process.log_tail(show_log).splitlines():
                print(f"log {name}: {line}")
    return failures


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--server", help="path of the levelcast binary")
    parser.add_argument("--filter", default="",
                        help="comma-separated case id prefixes, e.g. 5.3,6")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--jobs", type=int, default=16, help="cases run at once")
    parser.add_argument("--show-log", type=int, default=0, metavar="N",
                        help="print the last N lines of each server's stderr at the end")
    args = parser.parse_args()
    if not args.list and not args.server:
        parser.error("--server PATH is required unless --list is given")
    return args


def main():
    args = parse_args()
    prefixes = [p.strip() for p in args.filter.split(",") if p.strip()]
    cases = [case for case in all_cases() if matches(case, prefixes)]
    if args.list:
        for case in cases:
            print(f"{case.id} {case.title}")
        print(f"{len(cases)} cases")
        return 0
    processes, env = start_servers(args.server, sorted({case.server for case in cases}))
    failed = 0
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
            futures = [pool.submit(run_case, case, env) for case in cases]
            for case, future in zip(cases, futures):
                reason = future.result()
                failed += bool(reason)
                verdict = "FAIL" if reason else "PASS"
                print(f"{verdict} {case.id} {case.title}{' ' + reason if reason else ''}",
                      flush=True)
    finally:
        server_failures = stop_servers(processes, args.show_log)
    print(f"{len(cases) - failed} passed, {failed + server_failures} failed")
    return 1 if failed + server_failures else 0


if __name__ == "__main__":
    sys.exit(main())
