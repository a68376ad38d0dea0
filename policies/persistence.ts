import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema } from "./lib/exemptions";
import { directive, knownItems, knownString, persistence as effectivePersistence, podSpecOf } from "./lib/redis";
import { checkedWorkloads, type RedisWorkload } from "./lib/workloads";
import { docsUrl } from "./lib/metadata";

/** Whether the data directory is on storage that outlives the container: a named volume or a claim. */
function dataOnVolume(w: RedisWorkload, dataDir: string): boolean | undefined {
    const c = w.container as any;
    if (w.platform === "docker") {
        const volumes = knownItems<any>(() => c.volumes);
        const mounts = knownItems<any>(() => c.mounts);
        const paths = [
            ...volumes.items.map((v) => knownString(() => v.containerPath)),
            ...mounts.items.filter((m) => knownString(() => m.type) !== "tmpfs").map((m) => knownString(() => m.target)),
        ];
        if (paths.includes(dataDir)) return true;
        return volumes.complete && mounts.complete ? false : undefined;
    }
    const props = w.resource.props as any;
    const mount = knownItems<any>(() => c.volumeMounts).items.find((m) => knownString(() => m.mountPath) === dataDir);
    if (!mount) return false;
    const name = knownString(() => mount.name);
    const claims = knownItems<any>(() => props.spec?.volumeClaimTemplates).items.map((t) => knownString(() => t.metadata?.name));
    if (claims.includes(name)) return true;
    const spec = podSpecOf(w.resource.type, props);
    const volume = knownItems<any>(() => spec?.volumes).items.find((v) => knownString(() => v.name) === name);
    return volume ? knownString(() => volume.persistentVolumeClaim?.claimName) !== undefined : undefined;
}

export const persistence: StackValidationPolicy = {
    name: "redis-persistence",
    description:
        "Redis should persist to a volume (AOF or RDB on a named volume or PersistentVolumeClaim at its data dir): otherwise a container restart loses every key.",
    enforcementLevel: "advisory",
    severity: "medium",
    tags: ["redis", "persistence", "availability"],
    remediationSteps:
        "Keep `appendonly yes` (the components' default) or an RDB `save` schedule, with the data directory on a named Docker volume or a PersistentVolumeClaim (the components mount one at /data). For a cache you can rebuild, exempt it.",
    url: docsUrl("redis-persistence"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        // A Sentinel keeps no data: these settings do not apply to it.
        for (const w of checkedWorkloads(args).filter((w) => !w.sentinel)) {
            if (w.fileKnown) {
                const { aof, rdb } = effectivePersistence(w.settings);
                if (!aof && !rdb) reportViolation("Redis has both AOF and RDB persistence off; enable appendonly.", w.resource.urn);
            }
            const dataDir = directive(w.settings, "dir") ?? "/data";
            if (dataOnVolume(w, dataDir) === false) {
                reportViolation(
                    `Redis keeps its data dir (${dataDir}) on the container's own filesystem; mount a volume or PersistentVolumeClaim there.`,
                    w.resource.urn,
                );
            }
        }
    },
};
