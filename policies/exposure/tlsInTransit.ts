import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { UNKNOWN, type Known } from "../engine/known";
import { redisSettings, startupConfig } from "../engine/redisConf";
import { type RedisInvocation } from "../engine/recognise";
import { redisWorkloads, type RedisWorkload } from "../engine/workloads";
import { redisSecurity, docsUrl } from "../engine/metadata";

const NO_TLS =
    "Redis accepts clients without TLS (no tls-port); set tls-port with port 0 so passwords and data do not cross the network in plaintext.";
const PLAINTEXT_PORT = "Redis keeps its plaintext port open next to tls-port; set port 0 so no client can skip TLS.";
const OLD_PROTOCOLS =
    'Redis allows TLS 1.0 or 1.1 (tls-protocols); set tls-protocols "TLSv1.2 TLSv1.3" (or leave it out: that is the default).';
const PLAINTEXT_REPLICATION =
    "Redis replica connects to its primary without TLS; set tls-replication yes so replication and masterauth do not travel in plaintext.";
const PLAINTEXT_SENTINEL_LINKS =
    "Redis Sentinel connects to the Redis servers and the other Sentinels without TLS; set tls-replication yes so its auth-pass and failover commands do not travel in plaintext.";

/**
 * A directive's value as redis-server starts with it (arguments override the config file and the
 * files it includes), lowercased and unquoted; undefined when nothing sets it, UNKNOWN when the
 * file that could set it cannot be read here.
 */
function startupValues(w: RedisWorkload, args: string[]): (key: string) => Known<string | undefined> {
    const text = startupConfig(args, (file) => w.readFile(file));
    const fromArgs = redisSettings(undefined, args);
    const settings = redisSettings(text === UNKNOWN ? undefined : text, args);
    return (key) => {
        if (text === UNKNOWN && !fromArgs.directives.has(key)) return UNKNOWN;
        const words = settings.directives.get(key);
        // Quotes survive in arguments split out of `sh -c "… --tls-protocols \"TLSv1.2 TLSv1.3\""`.
        return words === undefined ? undefined : words.join(" ").replace(/["']/g, "").trim().toLowerCase();
    };
}

/** What is wrong with one way the container may start Redis (a server or a Sentinel). */
function findings(w: RedisWorkload, { args, sentinel }: RedisInvocation): string[] {
    const value = startupValues(w, args);
    const found: string[] = [];
    const tlsPort = value("tls-port");
    const tlsOn = tlsPort === UNKNOWN ? UNKNOWN : tlsPort !== undefined && tlsPort !== "0";
    if (tlsOn === false) found.push(NO_TLS);
    // Without a port directive Redis listens on 6379 in plaintext.
    const port = value("port");
    if (tlsOn === true && port !== UNKNOWN && port !== "0") found.push(PLAINTEXT_PORT);
    // Redis sets up TLS (and its protocols) for tls-port, tls-replication or tls-cluster; when
    // tls-protocols is absent or empty it allows TLSv1.2 and TLSv1.3 only (src/tls.c, 7.0).
    const usesTls = tlsOn === true || value("tls-replication") === "yes" || value("tls-cluster") === "yes";
    const protocols = value("tls-protocols");
    if (usesTls && typeof protocols === "string" && protocols.split(/\s+/).some((p) => p === "tlsv1" || p === "tlsv1.1")) {
        found.push(OLD_PROTOCOLS);
    }
    const tlsReplication = value("tls-replication");
    if (sentinel) {
        // Sentinel opens its links to the servers and to the other Sentinels with TLS only under tls-replication (sentinel.c).
        if (tlsReplication !== UNKNOWN && tlsReplication !== "yes") found.push(PLAINTEXT_SENTINEL_LINKS);
        return found;
    }
    // `replicaof no one` (or its old name slaveof) keeps a primary a primary.
    const primary = [value("replicaof"), value("slaveof")].find((v) => typeof v === "string" && v !== "no one");
    if (primary !== undefined && tlsReplication !== UNKNOWN && tlsReplication !== "yes") found.push(PLAINTEXT_REPLICATION);
    return found;
}

export const tlsInTransit: StackValidationPolicy = stackPolicy({
    name: "redis-tls-in-transit",
    description:
        "Redis should speak only TLS 1.2+ (tls-port with port 0), replicas and Sentinels included (tls-replication yes): otherwise AUTH passwords, masterauth and every key cross the pod or container network in plaintext (PCI DSS 4.0 requirement 4 asks for strong cryptography for cardholder data in transit), and a node without tls-replication talks plaintext to its primary even when TLS is on (bitnami/charts#3045).",
    enforcementLevel: "advisory",
    severity: "high",
    framework: redisSecurity(
        "TLS support",
        "Optional support for TLS on all communication channels, including client connections and replication links",
    ),
    tags: ["redis", "tls", "encryption", "network"],
    remediationSteps:
        "Set `tls: { enabled: true }` on the component (or in redis.conf: `tls-port 6379`, `port 0`, `tls-replication yes` on every server and Sentinel, certificates from a Secret), and hand clients the `rediss://` string and `caCertificate`.",
    url: docsUrl("redis-tls-in-transit"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        const reported = new Set<string>();
        for (const w of redisWorkloads(args.resources)) {
            // Which config it starts from depends on the whole command: judge none of it while part is unknown.
            if (!w.argvKnown) continue;
            // A script may start a primary or a replica from different configs: each is judged, a Sentinel as a Sentinel.
            for (const message of w.invocations.flatMap((a) => findings(w, a))) {
                if (reported.has(`${w.resource.urn} ${message}`)) continue;
                reported.add(`${w.resource.urn} ${message}`);
                reportViolation(message, w.resource.urn);
            }
        }
    },
});
