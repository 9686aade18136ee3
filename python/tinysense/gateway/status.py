"""Status of a gateway database: nodes, last values, last seen, sequence gaps.

    python3 -m tinysense.gateway.status gateway.sqlite            # table on stdout
    python3 -m tinysense.gateway.status gateway.sqlite --html s.html

Gaps are missing sequence numbers between a node's lowest and highest stored
seq (records still in flight, or lost before reaching the node's uplink).
"""
import argparse
import html
import json
import sqlite3
import sys
import time

MAX_GAP_RANGES = 5


def summarize(db_path, now=None):
    """[{node, source, records, first_seq, last_seq, missing, gaps, last_seen, values}]."""
    now = time.time() if now is None else now
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT node, MIN(source), COUNT(*), MIN(seq), MAX(seq), MAX(received_at) "
            "FROM measurements GROUP BY node ORDER BY node").fetchall()
        gaps = {}
        for node, lo, hi in db.execute(
                "SELECT node, prev + 1, seq - 1 FROM (SELECT node, seq, LAG(seq) OVER "
                "(PARTITION BY node ORDER BY seq) AS prev FROM measurements) "
                "WHERE prev IS NOT NULL AND seq > prev + 1 ORDER BY node, seq"):
            gaps.setdefault(node, []).append((lo, hi))
        last = dict(db.execute(
            "SELECT m.node, m.vals FROM measurements m JOIN (SELECT node, MAX(seq) AS s "
            "FROM measurements GROUP BY node) t ON m.node = t.node AND m.seq = t.s"))
        stats = {}
        try:
            stats = dict(db.execute("SELECT key, value FROM gateway_stats"))
        except sqlite3.OperationalError:
            pass
    finally:
        db.close()
    out = []
    for node, source, count, lo, hi, seen in rows:
        g = gaps.get(node, [])
        out.append({
            "node": node, "source": source, "records": count, "first_seq": lo, "last_seq": hi,
            "missing": sum(b - a + 1 for a, b in g), "gaps": g, "last_seen": seen,
            "age_s": max(0.0, now - seen), "values": json.loads(last.get(node, "{}")),
        })
    return out, stats


def _fmt_age(s):
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 172800:
        return f"{s / 3600:.0f} h"
    return f"{s / 86400:.0f} d"


def _fmt_gaps(g):
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in g[:MAX_GAP_RANGES]]
    if len(g) > MAX_GAP_RANGES:
        parts.append(f"+{len(g) - MAX_GAP_RANGES} more")
    return ",".join(parts) or "-"


def _fmt_values(v):
    items = []
    for k in sorted(v):
        x = v[k]
        if isinstance(x, float):
            x = f"{x:g}"
        elif isinstance(x, list):
            x = f"[{len(x)}]"
        items.append(f"{k}={x}")
    return " ".join(items)


def table(nodes, stats):
    head = ["node", "src", "records", "seq", "missing", "gaps", "last seen", "last values"]
    body = [[n["node"], n["source"], str(n["records"]), f"{n['first_seq']}..{n['last_seq']}",
             str(n["missing"]), _fmt_gaps(n["gaps"]), _fmt_age(n["age_s"]) + " ago",
             _fmt_values(n["values"])] for n in nodes]
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head) - 1)]
    lines = []
    for r in [head] + body:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len(head[-1]))
    total = sum(n["records"] for n in nodes)
    missing = sum(n["missing"] for n in nodes)
    lines.append("")
    lines.append(f"{len(nodes)} nodes, {total} records, {missing} missing")
    if stats:
        lines.append("gateway: " + ", ".join(f"{k}={v}" for k, v in sorted(stats.items())))
    return "\n".join(lines)


def html_page(nodes, stats, title="tinysense gateway status"):
    e = html.escape
    rows = []
    for n in nodes:
        cls = ' class="gap"' if n["missing"] else ""
        rows.append(
            f"<tr{cls}><td>{e(n['node'])}</td><td>{e(n['source'])}</td><td>{n['records']}</td>"
            f"<td>{n['first_seq']}..{n['last_seq']}</td><td>{n['missing']}</td>"
            f"<td>{e(_fmt_gaps(n['gaps']))}</td><td>{e(_fmt_age(n['age_s']))} ago</td>"
            f"<td>{e(_fmt_values(n['values']))}</td></tr>")
    st = ", ".join(f"{e(str(k))}={v}" for k, v in sorted(stats.items()))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}th{{background:#eee}}
tr.gap td{{background:#fff3cd}}</style></head><body>
<h1>{e(title)}</h1>
<p>{len(nodes)} nodes, {sum(n['records'] for n in nodes)} records,
{sum(n['missing'] for n in nodes)} missing. Generated {e(time.strftime('%Y-%m-%d %H:%M:%S'))}.</p>
<table><tr><th>node</th><th>source</th><th>records</th><th>seq</th><th>missing</th><th>gaps</th>
<th>last seen</th><th>last values</th></tr>
{chr(10).join(rows)}
</table><p>gateway: {st or '-'}</p></body></html>
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description="tinysense gateway status")
    ap.add_argument("db", help="the gateway's SQLite database")
    ap.add_argument("--html", help="write a static HTML page here instead of printing")
    ap.add_argument("--json", action="store_true", help="print JSON")
    a = ap.parse_args(argv)
    try:
        nodes, stats = summarize(a.db)
    except sqlite3.Error as exc:
        print(f"status: cannot read {a.db}: {exc}", file=sys.stderr)
        return 2
    if a.html:
        with open(a.html, "w") as f:
            f.write(html_page(nodes, stats))
    elif a.json:
        print(json.dumps({"nodes": nodes, "gateway": stats}, indent=2))
    else:
        print(table(nodes, stats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
