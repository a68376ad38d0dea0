// Scraping an exporter the way a Prometheus on one of the deployment's networks would.
import type Docker from "dockerode";
import { exposedSeries } from "../local/localExporter";
import { runOnNetwork } from "./hostTools";

/** One GET with the host's python3 (mounted into the container), printing the body. */
const FETCH = "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())";

/**
 * Scrapes `url` from a container on `network`. The exporter has no health check (its image has no
 * shell), so the first scrapes may find it still starting: retried for a while.
 */
export async function scrapeOnNetwork(docker: Docker, network: string, url: string): Promise<Map<string, number>> {
    let last = "";
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        const result = await runOnNetwork(docker, network, ["/usr/bin/python3", "-c", FETCH, url]);
        if (result.code === 0) {
            const scraped = exposedSeries(result.stdout);
            if (scraped.get("redis_up") === 1) return scraped;
            last = `redis_up ${scraped.get("redis_up")}`;
        } else last = result.stderr.trim().split("\n").at(-1) ?? "";
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`no scrape of ${url} with redis_up 1 within 30 s; last: ${last}`);
}
