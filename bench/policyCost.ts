// What redis-guard costs the Pulumi engine: the pack in its own process over gRPC, against a
// no-op pack served by the same @pulumi/policy server, on a stack of 1,000 resources that are
// mostly not Redis, as in an organisation where the pack is enforced on every stack.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPolicyPack, startPolicyPack, type RunningPolicyPack, type StackResource } from "../harness/policy/engine";
import { hardenedKubernetes, internalNetwork, nginxContainer, redisContainer } from "../harness/policy/fixtures";

/** Resources an ordinary stack holds: web containers and deployments, config, generated passwords, buckets. */
function unrelated(i: number): StackResource {
    const name = `r${i}`;
    switch (i % 5) {
        case 0:
            return { ...nginxContainer, name, props: { ...nginxContainer.props, name } };
        case 1:
            return {
                type: "kubernetes:apps/v1:Deployment",
                name,
                props: {
                    metadata: { name, namespace: "web" },
                    spec: {
                        replicas: 2,
                        selector: { matchLabels: { app: name } },
                        template: {
                            metadata: { labels: { app: name } },
                            spec: { containers: [{ name: "web", image: "nginx:1.27-alpine", ports: [{ containerPort: 8080 }] }] },
                        },
                    },
                },
            };
        case 2:
            return {
                type: "kubernetes:core/v1:ConfigMap",
                name,
                props: { metadata: { name, namespace: "web" }, data: { "app.json": "{}" } },
            };
        case 3:
            return { type: "random:index/randomPassword:RandomPassword", name, props: { length: 32, special: false } };
        default:
            return { type: "aws:s3/bucketV2:BucketV2", name, props: { bucket: name, tags: { team: "web" } } };
    }
}

/** 1,000 resources: 960 unrelated, and four hardened Redis deployments (two Docker, two Kubernetes) among them. */
export function organisationStack(): { unrelated: StackResource[]; redis: StackResource[] } {
    const redis = [0, 1].flatMap((k) => [
        ...[internalNetwork, redisContainer()].map((r) => ({ ...r, name: `${r.name}-${k}` })),
        ...hardenedKubernetes().map((r) => ({ ...r, name: `${r.name}-k${k}` })),
    ]);
    return { unrelated: Array.from({ length: 1_000 - redis.length }, (_, i) => unrelated(i)), redis };
}

export interface PackCost {
    /** µs per resource for Analyze over the unrelated resources, the Redis ones, and AnalyzeStack over all. */
    analyzeUnrelated: number;
    analyzeRedis: number;
    analyzeStack: number;
}

async function cost(pack: RunningPolicyPack, stack: { unrelated: StackResource[]; redis: StackResource[] }): Promise<PackCost> {
    const analyze = async (resources: StackResource[]) => {
        const t0 = process.hrtime.bigint();
        for (const r of resources) await pack.analyze(r.type, r.name, r.props);
        return Number(process.hrtime.bigint() - t0) / 1e3 / resources.length;
    };
    const all = [...stack.unrelated, ...stack.redis];
    const analyzeUnrelated = await analyze(stack.unrelated);
    const analyzeRedis = await analyze(stack.redis);
    const t0 = process.hrtime.bigint();
    await pack.analyzeStack(all);
    return { analyzeUnrelated, analyzeRedis, analyzeStack: Number(process.hrtime.bigint() - t0) / 1e3 / all.length };
}

/** Both packs, started once, measured in alternation for `rounds` rounds (after one warm-up round each). */
export async function policyPackCosts(rounds: number): Promise<{ redisGuard: PackCost[]; noop: PackCost[] }> {
    const built = buildPolicyPack();
    const dir = await mkdtemp(join(tmpdir(), "noop-pack-"));
    // The server reads the pack's version from package.json in its working directory.
    await writeFile(join(dir, "package.json"), JSON.stringify({ name: "noop", version: "0.0.0" }));
    const stack = organisationStack();
    const redisGuard = await startPolicyPack(built);
    const noop = await startPolicyPack({ cwd: dir, entry: join(__dirname, "noopPack.js") });
    try {
        await cost(redisGuard, stack);
        await cost(noop, stack);
        const results = { redisGuard: [] as PackCost[], noop: [] as PackCost[] };
        for (let i = 0; i < rounds; i++) {
            results.redisGuard.push(await cost(redisGuard, stack));
            results.noop.push(await cost(noop, stack));
        }
        return results;
    } finally {
        await Promise.all([redisGuard.stop(), noop.stop()]);
        await rm(dir, { recursive: true, force: true });
        built.remove();
    }
}
