"""What a cProfile run says per request, summed by package (shared by the profiling benches)."""

from __future__ import annotations

import pstats


def by_package(stats: pstats.Stats, requests: int) -> str:
    """Own time per request summed by package (the project's by module), dearest first."""
    spent: dict[str, float] = {}
    for (path, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in path:
            key = path.split("site-packages/")[1].split("/")[0]
        elif "/wellspring/" in path:
            key = "wellspring/" + path.split("/wellspring/")[1].rsplit(".", 1)[0]
        elif "/bench/" in path:
            key = "bench/" + path.rsplit("/", 1)[-1]
        elif path == "~":
            key = name if name.startswith("<method") else "builtins"
        else:
            key = "stdlib/" + path.rsplit("/", 1)[-1]
        spent[key] = spent.get(key, 0.0) + row[2]
    total = sum(spent.values())
    lines = [f"own time per request by package (profiled, total {total * 1000 / requests:.2f} ms):"]
    for key, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:30]:
        lines.append(f"  {seconds * 1000 / requests:7.3f} ms  {key}")
    return "\n".join(lines) + "\n\n"
