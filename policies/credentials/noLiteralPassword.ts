import type { StackValidationPolicy } from "@pulumi/policy";
import { redisDockerContainers } from "../engine/dockerContainers";
import { configSchema, stackPolicy } from "../engine/exemptions";
import { known, knownItems, knownString, UNKNOWN } from "../engine/known";
import { containersOf, podSpecOf, POD_TYPES, redisPods } from "../engine/recognise";
import { docsUrl } from "../engine/metadata";

/**
 * A literal secret on a command line: `--requirepass x`, `--masterauth x`, `redis-cli -a x`,
 * `REDISCLI_AUTH=x`, and Dragonfly's `--requirepass=x`.
 */
const LITERAL_IN_ARGV =
    /(^|\s)((--requirepass|--masterauth|-a|--pass)\s+|(--requirepass|--masterauth|--pass)=)(?!["']?\$)\S|(^|\s)REDISCLI_AUTH=(?!["']?\$)\S/;
/** An environment variable that holds a secret by its name; `…_FILE` ones (REDIS_PASSWORD_FILE) hold the path to one. */
const SECRET_NAME = /PASS|SECRET|AUTH|TOKEN/i;
const isSecretName = (name: string) => SECRET_NAME.test(name) && !/_FILE$/i.test(name);

/**
 * The words of a list property, an unknown word kept as a placeholder no literal looks like: left
 * out, it would hand its flag (`--requirepass`) the next known word as a value.
 */
function words(read: () => unknown[] | undefined): string[] {
    const list = known(read);
    if (list === UNKNOWN || !Array.isArray(list)) return [];
    return Array.from({ length: list.length }, (_, i) => {
        const word = known(() => list[i]);
        return word === UNKNOWN ? "$(unknown)" : typeof word === "string" ? word : "";
    });
}

export const noLiteralPassword: StackValidationPolicy = stackPolicy({
    name: "redis-no-literal-password",
    description:
        "Redis passwords must come from a file or secret reference, never a literal argument or environment value: those show in process listings, `docker inspect` and state.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["secrets", "authentication"],
    remediationSteps:
        "Put the password in the config file (Docker upload, Kubernetes Secret) or reference it (`valueFrom.secretKeyRef` expanded as `$(VAR)`), and give it to redis-cli on stdin (`--askpass`) or in a file, never as `-a`, `--requirepass <literal>` or an env value. The components never put a password in argv or env.",
    url: docsUrl("redis-no-literal-password"),
    configSchema: configSchema(),
    validateStack: (args, reportViolation) => {
        for (const container of redisDockerContainers(args.resources)) {
            const props = container.props as any;
            const argv = [...words(() => props.entrypoints), ...words(() => props.command), ...words(() => props.healthcheck?.tests)];
            if (LITERAL_IN_ARGV.test(argv.join(" ")))
                reportViolation(
                    "A Redis password is passed as a literal command-line argument; read it from a file instead.",
                    container.urn,
                );
            const envs = knownItems<string>(() => props.envs).items;
            if (envs.some((e) => isSecretName(e.split("=")[0]) && e.includes("=") && e.split("=")[1] !== "")) {
                reportViolation(
                    "A password-like environment variable has a literal value; deliver it as a file (uploads or a secret mount).",
                    container.urn,
                );
            }
        }
        // Pods that run Redis: every container of one (a sidecar, a probe) may hand a Redis password on.
        for (const workload of args.resources.filter((r) => POD_TYPES.has(r.type) && redisPods(r.type, r.props) !== undefined)) {
            for (const c of containersOf(podSpecOf(workload.type, workload.props))) {
                const probes = ["startupProbe", "livenessProbe", "readinessProbe"].flatMap((p) => words(() => c[p]?.exec?.command));
                const argv = [...words(() => c.command), ...words(() => c.args), ...probes];
                if (LITERAL_IN_ARGV.test(argv.join(" ")))
                    reportViolation(
                        "A Redis password is passed as a literal argument or probe command; read it from a mounted Secret instead.",
                        workload.urn,
                    );
                const env = knownItems<any>(() => c.env).items;
                if (env.some((e) => isSecretName(knownString(() => e.name) ?? "") && known(() => e.value) !== undefined)) {
                    reportViolation(
                        "A password-like environment variable has a literal value; use a Secret volume (or at least valueFrom.secretKeyRef).",
                        workload.urn,
                    );
                }
            }
        }
    },
});
