"""A process's descendants from /proc, for the tests that check children never outlive the server."""

import os


def _parent_and_state(pid):
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            after_name = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(after_name[1]), after_name[0]


def children(pid):
    """PIDs of the live direct children of `pid`, sorted."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent_state = _parent_and_state(int(entry))
            if parent_state and parent_state[0] == pid and parent_state[1] != "Z":
                found.append(int(entry))
    return sorted(found)


def descendants(pid):
    """PIDs of every live process below `pid` (children, their children, ...)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found = _parent_and_state(int(entry))
            if found and found[1] != "Z":
                children.setdefault(found[0], []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def running(pids):
    """The PIDs of `pids` that still exist and are not zombies, in their order."""
    alive = []
    for pid in pids:
        found = _parent_and_state(pid)
        if found and found[1] != "Z":
            alive.append(pid)
    return alive
