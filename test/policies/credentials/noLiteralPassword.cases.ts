import { noLiteralPassword } from "../../../policies/credentials/noLiteralPassword";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import {
    containerFromImageId,
    imageContainer,
    imageDeployment,
    nginxContainer,
    redisContainer,
    redisStatefulSet,
    SECRET,
} from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker } from "../caseFixtures";

export const noLiteralPasswordCase: PolicyCase = {
    policy: noLiteralPassword,
    violating: [
        ["--requirepass with a literal", [redisContainer({ command: ["redis-server", "--requirepass", SECRET] })]],
        ["a healthcheck with -a", [redisContainer({ healthcheck: { tests: ["CMD", "redis-cli", "-a", SECRET, "ping"] } })]],
        ["a password env value", [redisContainer({ envs: [`REDIS_PASSWORD=${SECRET}`] })]],
        ["a password env value, the image named by ID", containerFromImageId("bitnami/redis:7.2", { envs: [`REDIS_PASSWORD=${SECRET}`] })],
        [
            "a password env value, the image ID not known yet",
            containerFromImageId("bitnami/redis:7.2", { envs: [`REDIS_PASSWORD=${SECRET}`] }, "preview"),
        ],
        ["Dragonfly's --requirepass=<literal>", [imageContainer("example/app:1", { command: ["dragonfly", `--requirepass=${SECRET}`] })]],
        ["a Kubernetes env value", [redisStatefulSet({}, { env: [{ name: "REDIS_PASSWORD", value: SECRET }] })]],
        [
            "a Kubernetes probe with REDISCLI_AUTH",
            [redisStatefulSet({}, { livenessProbe: { exec: { command: ["sh", "-c", `REDISCLI_AUTH=${SECRET} redis-cli ping`] } } })],
        ],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["the hardened StatefulSet (password on stdin)", [redisStatefulSet()]],
        [
            "an env var expanded from a Secret",
            [
                redisStatefulSet(
                    {},
                    {
                        env: [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "s", key: "p" } } }],
                        args: ["--requirepass", "$(REDIS_PASSWORD)"],
                    },
                ),
            ],
        ],
        ["nginx with a literal password (not Redis)", [nginxContainer]],
        // As Bitnami's images take it: the path of a mounted secret.
        [
            "REDIS_PASSWORD_FILE",
            [imageContainer("bitnami/redis:7.2", { envs: ["REDIS_PASSWORD_FILE=/opt/bitnami/redis/secrets/redis-password"] })],
        ],
        [
            "REDISCLI_AUTH from a file, quoted",
            [
                redisStatefulSet(
                    {},
                    { livenessProbe: { exec: { command: ["sh", "-c", 'REDISCLI_AUTH="$(cat /secrets/password)" redis-cli ping'] } } },
                ),
            ],
        ],
        [
            "Dragonfly's --requirepass=$(VAR), expanded by Kubernetes from a Secret",
            [
                imageDeployment(
                    "docker.dragonflydb.io/dragonflydb/dragonfly:v1.25.1",
                    {},
                    {
                        args: ["--requirepass=$(PW)"],
                        env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "kv", key: "password" } } }],
                    },
                ),
            ],
        ],
        [
            "an nginx Deployment with a literal password (not Redis)",
            [imageDeployment("nginx:1.27", {}, { env: [{ name: "DB_PASSWORD", value: "literal" }] })],
        ],
        ["postgres by image ID with a literal password", containerFromImageId("postgres:16", { envs: [`POSTGRES_PASSWORD=${SECRET}`] })],
    ],
    unknown: [
        ["an unknown command", [redisContainer({ command: UNKNOWN })]],
        ["an unknown env list", [redisStatefulSet({}, { env: UNKNOWN })]],
    ],
};
