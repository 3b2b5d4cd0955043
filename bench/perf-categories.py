#!/usr/bin/env python3
"""Where a node's CPU goes, from `perf script` output (docs/PERFORMANCE.md).

Record a node started by bench/run.sh with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 (without the
latter perf cannot name JIT-compiled code), then:

    perf record -F 299 -g -p <node pid> -o node.perf -- sleep 50
    perf script -i node.perf -F comm,tid,ip,sym,dso | python3 bench/perf-categories.py [--from-second S]

Each sample counts once: by its thread for the runtime's own threads (tier-1 JIT, GC, the Redis client's socket
threads), otherwise by the first of the categories below met in its 12 innermost frames. A second table sorts the
worker threads' samples by the request they serve. With --from-second S (needs `-F comm,tid,time,ip,sym,dso`) samples
before S seconds into the recording are left out, e.g. to leave the JIT's first seconds out.
"""
import collections
import re
import sys

CATEGORIES = [
    ("JIT on a request thread", r"libclrjit"),
    ("JSON (System.Text.Json)", r"System\.Text\.Json"),
    ("Orleans serialization", r"Orleans\.Serialization|OrleansCodeGen"),
    ("Redis client (StackExchange.Redis)", r"StackExchange\.Redis"),
    ("Orleans grain storage (state reads and writes)", r"RedisGrainStorage|StateStorageBridge|OrleansGrainStorageSerializer"),
    ("personalisation fold", r"Profiles\.Core\.Personalisation"),
    ("touchpoint parse and validation", r"Profiles\.Core\.Touchpoints"),
    ("identifier normalise and hash", r"IdentifierHasher|IdentifierNormalizer|IdentifierReader|libcrypto"),
    ("journey append", r"RedisJourneyStore|Journey\."),
    ("profile grain (apply, snapshot, standing)", r"ProfileGrain|ProfileContent|ProfileStanding|Standing\."),
    ("identifier grain", r"IdentifierGrain"),
    ("Orleans runtime (messaging, activation, scheduling)", r"Orleans\."),
    ("ASP.NET Core and Kestrel", r"AspNetCore"),
]
WORK = [
    ("lookups (HTTP lookup, ProfileReader, view, JSON answer)", r"ProfileEndpoints|ProfileReader|ProfileView"),
    ("ingest requests (HTTP, parse, identifiers, groups)", r"TouchpointEndpoints|TouchpointIngestor|TouchpointIntake|IngestGate"),
]


def frame_name(line):
    text = re.sub(r"\s*\([^()]*\)\s*$", "", line.strip().split(" ", 1)[-1])
    method = re.search(r"\]\s*([\w.`+<>\[\],]+::[^(]+)\(", text)
    return method.group(1) if method else text


def samples(lines, from_second):
    start = None
    header, frames = None, []
    for line in lines + [""]:
        if not line.strip():
            if header is not None:
                yield header, frames
            header, frames = None, []
        elif not line[0].isspace():
            fields = line.split()
            if from_second is not None:
                at = float(fields[-1].rstrip(":"))
                start = at if start is None else start
                header = line[:15].strip() if at - start >= from_second else None
            else:
                header = line[:15].strip()
        elif header is not None:
            frames.append(line.split("(")[-1] if "[unknown]" in line else frame_name(line))


def category(thread, frames):
    if "Tiered Com" in thread:
        return "JIT, tier-1 compiler thread"
    if "Server GC" in thread or "BGC" in thread:
        return "GC threads"
    if thread.startswith(("DefaultSocketMa", "StackExchange")):
        return "Redis client socket threads"
    for name, pattern in CATEGORIES:
        if any(re.search(pattern, f) for f in frames[:12]):
            return name
    return "other (thread pool, kernel, runtime without symbols)"


def work(thread, frames):
    if "TP Worker" not in thread:
        return "not a worker thread"
    for name, pattern in WORK:
        if any(re.search(pattern, f) for f in frames):
            return name
    return "grain turns and runtime, outside a request's frames"


def main():
    from_second = float(sys.argv[sys.argv.index("--from-second") + 1]) if "--from-second" in sys.argv else None
    all_samples = list(samples(sys.stdin.read().splitlines(), from_second))
    total = len(all_samples)
    print(f"{total} samples")
    for title, key in (("category", category), ("work", work)):
        counts = collections.Counter(key(thread, frames) for thread, frames in all_samples)
        print(f"\n| {title} | share of samples |\n| --- | ---: |")
        for name, n in counts.most_common():
            print(f"| {name} | {100 * n / total:.1f}% |")


if __name__ == "__main__":
    main()
