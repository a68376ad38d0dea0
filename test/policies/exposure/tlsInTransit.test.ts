// redis-tls-in-transit finding by finding: each one reported on its own (and only it), on Docker
// and Kubernetes, wherever the config comes from (uploads, a helper container's volume, a Secret's
// stringData or base64 data, a projected volume, arguments), and silent on what preview cannot know.
import { describe, expect, it } from "vitest";
import { tlsInTransit } from "../../../policies/exposure/tlsInTransit";
import { evaluate, UNKNOWN, urnOf, type TestResource } from "../../../harness/policy/inProcess";
import {
    editConf,
    hardenedConf,
    hardenedKubernetes,
    internalNetwork,
    plainRedisContainer,
    PRIMARY_OR_REPLICA,
    redisContainer,
    redisSecret,
    redisStatefulSet,
    replicaConf,
    SECRET,
    tlsConf,
} from "../../../harness/policy/fixtures";
import { tlsInTransitCase } from "./tlsInTransit.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(tlsInTransitCase);

/** What each finding's message says, without any value from the config. */
const FINDINGS = {
    noTls: /^Redis accepts clients without TLS/,
    plaintextPort: /^Redis keeps its plaintext port open next to tls-port/,
    oldProtocols: /^Redis allows TLS 1\.0 or 1\.1/,
    replication: /^Redis replica connects to its primary without TLS/,
} as const;
type Finding = keyof typeof FINDINGS;

const CONFIG_DIR = "/usr/local/etc/redis";
const REPLICA_HOST = "cache-0.cache-headless.redis.svc";
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

const k8sWith = (...replace: TestResource[]): TestResource[] => [
    ...hardenedKubernetes().filter((r) => !replace.some((x) => x.type === r.type && x.name === r.name)),
    ...replace,
];

/** A replicated StatefulSet (pod 0 from redis.conf, the others from replica.conf) and its config Secret. */
const replicated = (conf: string, replica = replicaConf): TestResource[] =>
    k8sWith(redisStatefulSet({}, { command: PRIMARY_OR_REPLICA }, { replicas: 2 }), redisSecret(conf, { "replica.conf": replica }));

/** The config Secret with base64 `data` instead of `stringData`, as the engine returns it after an update. */
const encodedSecret = (conf: string): TestResource => {
    const secret = redisSecret(conf);
    return { ...secret, props: { metadata: { name: "cache-config-1234", namespace: "redis" }, data: { "redis.conf": base64(conf) } } };
};

/** The config Secret and a kubernetes.io/tls Secret projected into one directory, in either order. */
function projected(conf: string, tlsFirst = false): TestResource[] {
    const tls: TestResource = {
        type: "kubernetes:core/v1:Secret",
        name: "cache-tls",
        props: {
            metadata: { name: "cache-tls", namespace: "redis" },
            type: "kubernetes.io/tls",
            data: { "tls.crt": base64("certificate"), "tls.key": base64("key"), "ca.crt": base64("ca") },
        },
    };
    const sources = [{ secret: { name: "cache-config-1234" } }, { secret: { name: "cache-tls" } }];
    const volume = { name: "config", projected: { sources: tlsFirst ? sources.reverse() : sources } };
    return [...k8sWith(redisStatefulSet({ volumes: [volume] }), redisSecret(conf)), tls];
}

/** A Docker Redis whose config a stopped helper container uploads into the volume both mount. */
function writtenByHelper(conf: string): TestResource[] {
    const helper: TestResource = {
        type: "docker:index/container:Container",
        name: "cache-config",
        props: {
            image: "sha256:0123456789abcdef",
            start: false,
            volumes: [{ volumeName: "cache-config", containerPath: "/config" }],
            uploads: [{ file: "/config/redis.conf", content: conf }],
        },
    };
    return [internalNetwork, redisContainer({ uploads: [] }), helper];
}

/** A Docker replica started from replica.conf, which includes redis.conf. */
function dockerReplica(conf: string, replica = replicaConf): TestResource[] {
    const uploads = [
        { file: `${CONFIG_DIR}/redis.conf`, content: conf },
        { file: `${CONFIG_DIR}/replica.conf`, content: replica },
    ];
    return [internalNetwork, redisContainer({ command: ["redis-server", `${CONFIG_DIR}/replica.conf`], uploads })];
}

const tlsArgs = ["--tls-cert-file", `${CONFIG_DIR}/tls.crt`, "--tls-key-file", `${CONFIG_DIR}/tls.key`];

async function findingsOf(resources: TestResource[], config: Record<string, unknown> = {}): Promise<Finding[]> {
    const outcome = await evaluate(tlsInTransit, resources, config);
    // Read through known(): an unknown value never escapes as "can't run during preview".
    expect(outcome.skippedForUnknown).toBeUndefined();
    for (const message of outcome.violations) {
        for (const value of [SECRET, REPLICA_HOST, "6380", "ECDHE", CONFIG_DIR]) expect(message).not.toContain(value);
    }
    return outcome.violations.map((m) => {
        const finding = (Object.keys(FINDINGS) as Finding[]).find((f) => FINDINGS[f].test(m));
        if (!finding) throw new Error(`unexpected message: ${m}`);
        return finding;
    });
}

const violating: Array<[string, TestResource[], Finding[]]> = [
    // 1. No TLS
    ["Docker: the hardened container with TLS off", [internalNetwork, redisContainer()], ["noTls"]],
    ["Docker: the image's default command", [plainRedisContainer()], ["noTls"]],
    ["Docker: tls-port 0", [internalNetwork, redisContainer({}, editConf(tlsConf, { "tls-port": "0" }))], ["noTls"]],
    [
        "Docker: --tls-port 0 overriding a TLS config",
        [internalNetwork, redisContainer({ command: ["redis-server", `${CONFIG_DIR}/redis.conf`, "--tls-port", "0"] }, tlsConf)],
        ["noTls"],
    ],
    ["Docker: a config written by a helper container, TLS off", writtenByHelper(hardenedConf), ["noTls"]],
    ["Kubernetes: the hardened StatefulSet with TLS off", hardenedKubernetes(), ["noTls"]],
    ["Kubernetes: base64 Secret data, TLS off", k8sWith(encodedSecret(hardenedConf)), ["noTls"]],
    ["Kubernetes: a projected config, TLS off", projected(hardenedConf), ["noTls"]],
    // 2. A plaintext listener next to TLS
    [
        "Docker: tls-port without port (Redis then listens on 6379 too)",
        [redisContainer({}, editConf(tlsConf, { port: null }))],
        ["plaintextPort"],
    ],
    [
        "Docker: port 6379 and tls-port 6380",
        [redisContainer({}, editConf(tlsConf, { port: "6379", "tls-port": "6380" }))],
        ["plaintextPort"],
    ],
    [
        "Docker: --port 6379 overriding port 0",
        [redisContainer({ command: ["redis-server", `${CONFIG_DIR}/redis.conf`, "--port", "6379"] }, tlsConf)],
        ["plaintextPort"],
    ],
    ["Docker: --tls-port alone", [plainRedisContainer({ command: ["redis-server", "--tls-port", "6380", ...tlsArgs] })], ["plaintextPort"]],
    ["Kubernetes: base64 Secret data without port", k8sWith(encodedSecret(editConf(tlsConf, { port: null }))), ["plaintextPort"]],
    ["Kubernetes: a projected config without port", projected(editConf(tlsConf, { port: null }), true), ["plaintextPort"]],
    // 3. TLS 1.0 / 1.1
    ["Docker: TLSv1 listed", [redisContainer({}, editConf(tlsConf, { "tls-protocols": '"TLSv1 TLSv1.2 TLSv1.3"' }))], ["oldProtocols"]],
    ["Docker: tlsv1.1 in lower case", [redisContainer({}, editConf(tlsConf, { "tls-protocols": '"tlsv1.1 tlsv1.2"' }))], ["oldProtocols"]],
    [
        "Docker: TLSv1.1 in a quoted sh -c argument",
        [
            plainRedisContainer({
                command: ["sh", "-c", `exec redis-server --port 0 --tls-port 6379 --tls-protocols "TLSv1.1 TLSv1.2" ${tlsArgs.join(" ")}`],
            }),
        ],
        ["oldProtocols"],
    ],
    [
        "Kubernetes: TLSv1.1 in the Secret",
        k8sWith(redisSecret(editConf(tlsConf, { "tls-protocols": '"TLSv1.1 TLSv1.2"' }))),
        ["oldProtocols"],
    ],
    // 4. A replica without tls-replication
    [
        "Kubernetes: replica.conf including a redis.conf without it",
        replicated(editConf(tlsConf, { "tls-replication": null })),
        ["replication"],
    ],
    ["Kubernetes: replicas with TLS off altogether", replicated(hardenedConf), ["noTls", "replication"]],
    ["Kubernetes: tls-replication no after the include", replicated(tlsConf, `${replicaConf}\ntls-replication no\n`), ["replication"]],
    [
        "Kubernetes: tls-replication yes before an include that says no",
        replicated(editConf(tlsConf, { "tls-replication": "no" }), `tls-replication yes\n${replicaConf}`),
        ["replication"],
    ],
    ["Docker: a replica from replica.conf", dockerReplica(editConf(tlsConf, { "tls-replication": null })), ["replication"]],
    [
        "Docker: slaveof in redis.conf",
        [redisContainer({}, editConf(tlsConf, { "tls-replication": null, slaveof: "primary 6379" }))],
        ["replication"],
    ],
    [
        "Docker: --replicaof as arguments",
        [
            redisContainer(
                { command: ["redis-server", `${CONFIG_DIR}/redis.conf`, "--replicaof", "primary", "6379"] },
                editConf(tlsConf, { "tls-replication": null }),
            ),
        ],
        ["replication"],
    ],
    [
        "every finding at once",
        dockerReplica(editConf(hardenedConf, { "tls-port": "6380", "tls-protocols": "TLSv1", "tls-replication": "no" })),
        ["plaintextPort", "oldProtocols", "replication"],
    ],
];

const compliant: Array<[string, TestResource[]]> = [
    ["Docker: TLS only (uploads)", [internalNetwork, redisContainer({}, tlsConf)]],
    ["Docker: TLS only, written by a helper container", writtenByHelper(tlsConf)],
    [
        "Docker: TLS only as arguments",
        [plainRedisContainer({ command: ["redis-server", "--port", "0", "--tls-port", "6379", ...tlsArgs] })],
    ],
    [
        "Docker: TLS switched on by arguments over a plaintext config",
        [redisContainer({ command: ["redis-server", `${CONFIG_DIR}/redis.conf`, "--port", "0", "--tls-port", "6379", ...tlsArgs] })],
    ],
    [
        "Docker: directives in any case, values quoted",
        [
            redisContainer(
                {},
                `${editConf(hardenedConf, { port: null })}\nPORT "0"\nTLS-Port 6379\nTLS-Protocols "tlsv1.2 TLSv1.3"\nTls-Replication YES\n`,
            ),
        ],
    ],
    [
        "Docker: tls-protocols left out (Redis 7.0 allows TLSv1.2 and TLSv1.3 only)",
        [redisContainer({}, editConf(tlsConf, { "tls-protocols": null }))],
    ],
    ["Docker: tls-protocols empty (the same default)", [redisContainer({}, editConf(tlsConf, { "tls-protocols": '""' }))]],
    ["Docker: TLSv1.3 only", [redisContainer({}, editConf(tlsConf, { "tls-protocols": "TLSv1.3" }))]],
    ["Docker: a replica from replica.conf with TLS", dockerReplica(tlsConf)],
    ["Docker: replicaof no one", [redisContainer({}, editConf(tlsConf, { "tls-replication": null, replicaof: "no one" }))]],
    ["Kubernetes: TLS only (Secret stringData)", k8sWith(redisSecret(tlsConf))],
    ["Kubernetes: TLS only (base64 Secret data)", k8sWith(encodedSecret(tlsConf))],
    ["Kubernetes: TLS only, with the certificates projected next to the config", projected(tlsConf)],
    ["Kubernetes: the same, TLS Secret first", projected(tlsConf, true)],
    ["Kubernetes: replicas with tls-replication in redis.conf", replicated(tlsConf)],
    [
        "Kubernetes: replicas with tls-replication in replica.conf only",
        replicated(editConf(tlsConf, { "tls-replication": null }), `${replicaConf}\ntls-replication yes\n`),
    ],
];

// Each makes the deciding value unknown; the harness raises anything else the policy throws.
const unknown: Array<[string, TestResource[]]> = [
    ["Docker: config content unknown", [redisContainer({ uploads: [{ file: `${CONFIG_DIR}/redis.conf`, content: UNKNOWN }] })]],
    ["Docker: uploads unknown", [redisContainer({ uploads: UNKNOWN })]],
    ["Docker: the command unknown", [redisContainer({ command: UNKNOWN })]],
    ["Docker: one command word unknown", [redisContainer({ command: ["redis-server", UNKNOWN] })]],
    ["Docker: the helper's upload unknown", writtenByHelper(UNKNOWN)],
    [
        "Docker: an included file that cannot be read (baked into the image)",
        [redisContainer({}, `${hardenedConf}\ninclude /etc/redis/tls.conf\n`)],
    ],
    ["Docker: an include glob", [redisContainer({}, `${hardenedConf}\ninclude ${CONFIG_DIR}/conf.d/*.conf\n`)]],
    [
        "Docker: --tls-port set but port left to an unknown config",
        [
            redisContainer({
                command: ["redis-server", `${CONFIG_DIR}/redis.conf`, "--tls-port", "6379"],
                uploads: [{ file: `${CONFIG_DIR}/redis.conf`, content: UNKNOWN }],
            }),
        ],
    ],
    [
        "Kubernetes: Secret data unknown",
        k8sWith({ ...redisSecret(), props: { metadata: { name: "cache-config-1234", namespace: "redis" }, stringData: UNKNOWN } }),
    ],
    ["Kubernetes: Secret name unknown", k8sWith(redisStatefulSet({ volumes: [{ name: "config", secret: { secretName: UNKNOWN } }] }))],
    [
        "Kubernetes: projected sources unknown",
        k8sWith(redisStatefulSet({ volumes: [{ name: "config", projected: { sources: UNKNOWN } }] })),
    ],
    [
        "Kubernetes: a projected Secret's name unknown",
        k8sWith(redisStatefulSet({ volumes: [{ name: "config", projected: { sources: [{ secret: { name: UNKNOWN } }] } }] })),
    ],
    ["Kubernetes: the command unknown", k8sWith(redisStatefulSet({}, { command: UNKNOWN }))],
    [
        "Kubernetes: replica.conf known, the redis.conf it includes unknown",
        k8sWith(redisStatefulSet({}, { command: PRIMARY_OR_REPLICA }), redisSecret(UNKNOWN, { "replica.conf": replicaConf })),
    ],
];

describe("redis-tls-in-transit", () => {
    it("is advisory, exemptable, and says why", () => {
        expect(tlsInTransit.enforcementLevel).toBe("advisory");
        expect(tlsInTransit.configSchema?.properties).toHaveProperty("exemptResources");
        for (const reason of ["PCI DSS 4.0 requirement 4", "plaintext", "tls-replication", "bitnami/charts"]) {
            expect(tlsInTransit.description).toContain(reason);
        }
    });

    it.each(violating)("reports %s", async (_label, resources, expected) => {
        expect((await findingsOf(resources)).sort()).toEqual([...expected].sort());
    });

    it.each(compliant)("passes %s", async (_label, resources) => {
        expect(await findingsOf(resources)).toEqual([]);
    });

    it.each(unknown)("neither throws nor reports when %s", async (_label, resources) => {
        expect(await evaluate(tlsInTransit, resources)).toEqual({ violations: [], urns: [] });
    });

    it("still judges what the arguments alone decide when the config is unknown", async () => {
        const container = redisContainer({
            command: ["redis-server", `${CONFIG_DIR}/redis.conf`, "--tls-port", "0"],
            uploads: [{ file: `${CONFIG_DIR}/redis.conf`, content: UNKNOWN }],
        });
        expect(await findingsOf([container])).toEqual(["noTls"]);
    });

    it("reports once per workload and finding, against the workload", async () => {
        // Both the primary's and the replica's config lack TLS: one noTls, not two.
        const resources = replicated(hardenedConf);
        const outcome = await evaluate(tlsInTransit, resources);
        expect(outcome.violations).toHaveLength(2);
        expect(new Set(outcome.urns)).toEqual(new Set([urnOf(resources.find((r) => r.type.endsWith("StatefulSet")) as TestResource)]));
    });

    it("honours exemptResources by name and by URN, on Docker and Kubernetes", async () => {
        const docker = dockerReplica(hardenedConf);
        const kubernetes = replicated(hardenedConf);
        expect(await findingsOf(docker, { exemptResources: ["cache"] })).toEqual([]);
        const statefulSet = kubernetes.find((r) => r.type.endsWith("StatefulSet")) as TestResource;
        expect(await findingsOf(kubernetes, { exemptResources: [urnOf(statefulSet)] })).toEqual([]);
        expect(await findingsOf(docker, { exemptResources: ["other"] })).not.toEqual([]);
    });
});
