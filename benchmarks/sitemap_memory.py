"""A crawl fed by a sitemap index of many large sitemaps: peak memory and time to the end.

Serves a sitemap index of --sitemaps sitemaps of --urls URLs each (made on the fly) and small
pages on 127.0.0.1, then runs ``touchaudit crawl`` with --max-pages in a subprocess per tree (this
one, and ``--against REV``), printing each crawl's peak RSS, wall time, the sitemaps it fetched
and the state it ended in. A crawl still running after --timeout seconds is stopped and said so.

    python benchmarks/sitemap_memory.py                      # 100 sitemaps of 50,000 URLs
    python benchmarks/sitemap_memory.py --against HEAD~3 --timeout 120
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from paired import peak_rss_mb  # noqa: E402 - benchmarks/ is the script's folder

REPO = Path(__file__).resolve().parents[1]
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, sitemaps: int, urls: int):
        super().__init__(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.sitemaps, self.urls, self.fetched = sitemaps, urls, 0


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        s, base = self.server, self.server.base
        if parts.path == "/robots.txt":
            body, ctype = f"User-agent: *\nSitemap: {base}/index.xml\n".encode(), "text/plain"
        elif parts.path == "/index.xml":
            items = "".join(f"<sitemap><loc>{base}/s/{k}.xml</loc></sitemap>" for k in range(s.sitemaps))
            xml = f'<?xml version="1.0"?><sitemapindex xmlns="{NS}">{items}</sitemapindex>'
            body, ctype = xml.encode(), "application/xml"
        elif parts.path.startswith("/s/"):
            s.fetched += 1
            k = parts.path[3:-4]
            items = "".join(f"<url><loc>{base}/p/{k}/{i}</loc></url>" for i in range(s.urls))
            xml = f'<?xml version="1.0"?><urlset xmlns="{NS}">{items}</urlset>'
            body, ctype = xml.encode(), "application/xml"
        else:
            html = f"<html><body><p>Page {parts.path} of the catalogue.</p></body></html>"
            body, ctype = html.encode(), "text/html"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def crawl(repo: Path, cfg: Path, timeout: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "audit.cli", "crawl", "--config", str(cfg)], cwd=repo,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    peak = 0.0
    stopped = False
    while proc.poll() is None:
        peak = max(peak, peak_rss_mb(proc.pid) or 0.0)
        if time.perf_counter() - start > timeout:
            proc.send_signal(signal.SIGINT)  # the graceful stop a user would try first
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            stopped = True
            break
        time.sleep(0.1)
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    return {"seconds": time.perf_counter() - start, "peak": peak, "stopped": stopped,
            "summary": out.splitlines()[0] if out else ""}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sitemaps", type=int, default=100)
    ap.add_argument("--urls", type=int, default=50_000)
    ap.add_argument("--max-pages", type=int, default=1000)
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--against", help="another commit to measure in the same run (a git worktree)")
    args = ap.parse_args()
    srv = Server(args.sitemaps, args.urls)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(f"sitemap index of {args.sitemaps} sitemaps x {args.urls:,} URLs at {srv.base}, "
          f"max_pages {args.max_pages}")
    sys.path.insert(0, str(REPO))
    from paired import trees

    with tempfile.TemporaryDirectory() as tmp, trees(Path(tmp), args.against) as measured:
        for n, (label, repo) in enumerate(measured):
            work = Path(tmp) / f"run{n}"
            work.mkdir()
            cfg = work / "touchaudit.yaml"
            cfg.write_text(textwrap.dedent(f"""
                crawl:
                  max_size: 20MB
                touchpoints:
                  - name: catalogue
                    kind: website
                    start_urls: [{json.dumps(srv.base + "/")}]
                    max_pages: {args.max_pages}
                """), encoding="utf-8")
            srv.fetched = 0
            r = crawl(repo, cfg, args.timeout)
            end = f"stopped after {args.timeout:.0f} s" if r["stopped"] else "ended"
            print(f"{label:>10}: {end} in {r['seconds']:.1f} s, peak RSS {r['peak']:.0f} MB, "
                  f"{srv.fetched} sitemaps fetched; {r['summary']}", flush=True)
    srv.shutdown()


if __name__ == "__main__":
    main()
