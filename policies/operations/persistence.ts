import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, knownItems, knownString, UNKNOWN } from "../engine/known";
import { directive, persistence as effectivePersistence } from "../engine/redisConf";
import { podSpecOf } from "../engine/recognise";
import { checkedWorkloads, type RedisWorkload } from "../engine/workloads";
import { docsUrl } from "../engine/metadata";

/** Whether the data directory is on storage that outlives the container: a named volume or a claim. */
function dataOnVolume(w: RedisWorkload, dataDir: string): boolean | undefined {
    const c = w.container as any;
    // Undefined (cannot tell) when a mount whose path or kind is unknown might be the one.
    if (w.platform === "docker") {
        const volumes = knownItems<any>(() => c.volumes);
        const mounts = knownItems<any>(() => c.mounts);
        const paths = [
            ...volumes.items.map((v) => known(() => v.containerPath as string | undefined)),
            ...mounts.items.map((m) => {
                const type = known(() => m.type as string | undefined);
                return type === "tmpfs" ? undefined : type === UNKNOWN ? UNKNOWN : known(() => m.target as string | undefined);
            }),
        ];
        if (paths.includes(dataDir)) return true;
        return volumes.complete && mounts.complete && !paths.includes(UNKNOWN) ? false : undefined;
    }
    const props = w.resource.props as any;
    const volumeMounts = knownItems<any>(() => c.volumeMounts);
    const mountPaths = volumeMounts.items.map((m) => known(() => m.mountPath as string | undefined));
    const mount = volumeMounts.items.find((_, i) => mountPaths[i] === dataDir);
    if (!mount) return volumeMounts.complete && !mountPaths.includes(UNKNOWN) ? false : undefined;
    const name = knownString(() => mount.name);
    const templates = knownItems<any>(() => props.spec?.volumeClaimTemplates);
    const claims = templates.items.map((t) => known(() => t.metadata?.name as string | undefined));
    if (claims.includes(name)) return true;
    // A claim template that cannot be read may be the one the mount names.
    if (!templates.complete || claims.includes(UNKNOWN)) return undefined;
    const spec = podSpecOf(w.resource.type, props);
    const volume = knownItems<any>(() => spec?.volumes).items.find((v) => knownString(() => v.name) === name);
    return volume ? knownString(() => volume.persistentVolumeClaim?.claimName) !== undefined : undefined;
}

export const persistence: StackValidationPolicy = stackPolicy({
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
            // Where the command or its config is unknown, so is the data dir: nothing to prove.
            const dataDir = directive(w.settings, "dir") ?? "/data";
            if (w.fileKnown && dataOnVolume(w, dataDir) === false) {
                reportViolation(
                    `Redis keeps its data dir (${dataDir}) on the container's own filesystem; mount a volume or PersistentVolumeClaim there.`,
                    w.resource.urn,
                );
            }
        }
    },
});
