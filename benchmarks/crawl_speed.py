"""Crawl throughput and memory: touchaudit against a bare Scrapy spider on the same site.

Generates a site of --pages pages (~300 words each, each linking to ~10 others), serves it on
127.0.0.1 with --latency seconds added to every request (a threaded server, so requests in
flight wait in parallel), then crawls it twice, each in a subprocess with the same concurrency:

  (a) ``touchaudit crawl`` on a generated config: every pipeline, extraction, the store, the frontier;
  (b) a bare Scrapy spider that follows links with LinkExtractor and yields nothing.

Prints pages per second of each (timed at the server, first request to last response, so process
start-up is not counted), their ratio (target >= 0.85), the latency limit (concurrency / latency),
and each crawl's peak RSS after a third and after all of the pages (flat = memory does not grow
with the number of pages).

    python benchmarks/crawl_speed.py                          # 3000 pages, 50 ms, concurrency 8
    python benchmarks/crawl_speed.py --pages 500 --latency 0.02
    python benchmarks/crawl_speed.py --latency 0 --against HEAD~1   # CPU-bound: CPU ms per page
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from paired import peak_rss_mb  # noqa: E402 - benchmarks/ is the script's folder

REPO = Path(__file__).resolve().parents[1]

WORDS = ("sync", "files", "team", "plan", "secure", "backup", "share", "folder", "device", "offline",
         "upload", "invite", "storage", "support", "account", "price", "monthly", "annual", "admin",
         "workspace", "restore", "version", "history", "encrypt", "cloud", "desktop", "mobile", "link",
         "guest", "policy", "the", "a", "your", "with", "every", "and", "to", "of", "in", "for")


def make_site(pages: int, links: int = 10, words: int = 300) -> dict[str, bytes]:
    """path -> HTML body; page i links to i+1 (all reachable) and ``links`` random others."""
    rng = random.Random(7)
    paths = ["/"] + [f"/p/{i}.html" for i in range(1, pages)]
    site = {}
    for i, path in enumerate(paths):
        targets = {paths[(i + 1) % pages]} | {rng.choice(paths) for _ in range(links - 1)}
        paras = []
        for _ in range(6):
            sentence = " ".join(rng.choice(WORDS) for _ in range(words // 6))
            paras.append(f"<p>{sentence.capitalize()}.</p>")
        nav = "".join(f'<li><a href="/p/{k}.html">Section {k}</a></li>' for k in range(1, 6))
        body = (f"<!doctype html><html><head><meta charset='utf-8'><title>Page {i} - Acme</title>"
                f"<meta name='description' content='Page {i} of the Acme site'></head><body>"
                f"<nav><ul>{nav}</ul></nav><main><h1>Page {i}</h1>{''.join(paras)}<ul>"
                + "".join(f'<li><a href="{t}">Read {t}</a></li>' for t in sorted(targets))
                + "</ul></main><footer>Acme Inc. 500 Harbor Street</footer></body></html>")
        site[path] = body.encode()
    return site


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, site: dict[str, bytes], latency: float):
        super().__init__(("127.0.0.1", 0), Handler)
        self.site, self.latency = site, latency
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.served = 0  # pages answered with 200
            self.first: float | None = None
            self.last = 0.0


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one send: no Nagle / delayed-ACK stall per response

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        srv = self.server
        with srv.lock:
            if srv.first is None:
                srv.first = time.perf_counter()
        time.sleep(srv.latency)
        body = srv.site.get(self.path.split("?")[0])
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")
        with srv.lock:
            srv.last = time.perf_counter()
            srv.served += body is not None


BARE_SPIDER = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor

class Bare(scrapy.Spider):
    name = "bare"
    links = LinkExtractor()

    def parse(self, response):
        for link in self.links.extract_links(response):
            yield response.follow(link.url, callback=self.parse)

process = CrawlerProcess({
    "CONCURRENT_REQUESTS": int(sys.argv[2]), "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[2]),
    "ROBOTSTXT_OBEY": True, "COOKIES_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING", "DEPTH_LIMIT": 0, "RETRY_TIMES": 1, "DOWNLOAD_TIMEOUT": 30,
})
process.crawl(Bare, start_urls=[sys.argv[1] + "/"])
process.start()
"""


def run(cmd: list[str], srv: Server, pages: int, env: dict[str, str] | None = None,
        cwd: Path | None = None) -> dict[str, float]:
    """Run one crawl; pages/s at the server, peak RSS after a third and at the end."""
    srv.reset()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, cwd=cwd or REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    third = end = 0.0
    while proc.poll() is None:
        rss = peak_rss_mb(proc.pid)
        if rss is not None:
            end = rss
            if not third and srv.served >= pages / 3:
                third = rss
        time.sleep(0.05)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"{cmd[:4]} failed ({proc.returncode}):\n{err[-3000:]}")
    seconds = srv.last - (srv.first or srv.last)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)  # the whole process
    return {"served": srv.served, "seconds": seconds, "pps": srv.served / seconds if seconds else 0.0,
            "rss_third": third, "rss_end": end, "cpu_ms": 1000 * cpu / srv.served if srv.served else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds added to every request")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--against", help="another commit to measure in the same run (a git worktree)")
    args = ap.parse_args()

    site = make_site(args.pages)
    words = sum(len(b.split()) for b in site.values()) // len(site)
    srv = Server(site, args.latency)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    limit = args.concurrency / args.latency if args.latency else float("inf")
    print(f"site: {args.pages} pages (~{words} words, ~10 links each) at {srv.base}, "
          f"latency {args.latency * 1000:.0f} ms, concurrency {args.concurrency}: "
          f"limit {limit:.0f} pages/s")

    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "touchaudit.yaml"
        cfg.write_text(textwrap.dedent(f"""
            crawl:
              concurrency: {args.concurrency}
              per_host: {args.concurrency}
            touchpoints:
              - name: bench
                kind: website
                start_urls: [{json.dumps(srv.base + "/")}]
                max_pages: {args.pages * 2}
                max_depth: {args.pages}
                sitemap: false
            """), encoding="utf-8")
        bare_py = Path(tmp) / "bare_spider.py"
        bare_py.write_text(BARE_SPIDER, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(REPO)}

        from paired import trees

        results = []
        with trees(Path(tmp), args.against) as measured:
            for label, repo in measured:
                store = Path(tmp) / "touchaudit.db"
                store.unlink(missing_ok=True)
                tree_env = {**os.environ, "PYTHONPATH": str(repo)}
                results.append((f"touchaudit ({label})", run(
                    [sys.executable, "-m", "audit.cli", "crawl", "--config", str(cfg)], srv, args.pages,
                    tree_env, cwd=repo)))
        bare = run([sys.executable, str(bare_py), srv.base, str(args.concurrency)], srv, args.pages, env)
    srv.shutdown()

    for name, r in (*results, ("bare scrapy", bare)):
        print(f"{name:<24} {r['served']:>6.0f} pages in {r['seconds']:6.1f}s: {r['pps']:7.1f} pages/s "
              f"({r['pps'] / limit:.0%} of the limit), {r['cpu_ms']:.1f} ms CPU per page; peak RSS "
              f"{r['rss_third']:.0f} MB after a third, {r['rss_end']:.0f} MB at the end")
    for name, r in results:
        ratio = r["pps"] / bare["pps"] if bare["pps"] else 0.0
        cpu = r["cpu_ms"] / bare["cpu_ms"] if bare["cpu_ms"] else 0.0
        print(f"{name}: pages/s {ratio:.2f}x bare Scrapy (target >= 0.85), CPU per page {cpu:.2f}x "
              "(target <= 1.25)")


if __name__ == "__main__":
    main()
