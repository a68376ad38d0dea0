import { nonAdminUserDangerousCommands } from "../../../policies/credentials/nonAdminUserDangerousCommands";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { hardenedConf, hardenedKubernetes, redisContainer, sentinelConf, sentinelTopology } from "../../../harness/policy/fixtures";
import { sentinelCommand } from "../../../redis/sentinel/sentinelConfig";
import { type PolicyCase, hardenedDocker, withAclFile } from "../caseFixtures";

export const nonAdminUserDangerousCommandsCase: PolicyCase = {
    policy: nonAdminUserDangerousCommands,
    violating: [
        ["an app user with +@all", [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +@all\n`)]],
        [
            "an app user with +@all -@admin (FLUSHALL and KEYS remain)",
            [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +@all -@admin\n`)],
        ],
        ["a user with +@write (it holds FLUSHALL)", [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +@write\n`)]],
        ["a user with +config|set", [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} +get +config|set\n`)]],
        ["a user with +client (CLIENT KILL among it)", [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} +client\n`)]],
        ["such a user in an ACL file", [withAclFile(`user default off\nuser web on #${"c".repeat(64)} ~* allcommands\n`)]],
        // A selector is a permission set of its own: what it grants counts whatever the root rules revoke (#28).
        [
            "a read-only user whose selector grants +@all",
            [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~app:* +@read -@dangerous (~* +@all)\n`)],
        ],
        [
            "a selector in one word, in capitals",
            [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +GET (+FLUSHALL)\n`)],
        ],
        // Valkey's own: COMMANDLOG GET hands out other clients' commands, arguments and all, as SLOWLOG GET does.
        [
            "a Valkey user with +commandlog|get",
            [
                redisContainer(
                    { image: "valkey/valkey:8-alpine", command: ["valkey-server", "/usr/local/etc/redis/redis.conf"] },
                    `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +get +commandlog|get\n`,
                ),
            ],
        ],
        // Valkey's Sentinel names for the MASTER subcommands: this one casts failover votes.
        [
            "a user on a Valkey Sentinel with +sentinel|is-primary-down-by-addr",
            sentinelTopology(`${sentinelConf()}\nuser web on #${"c".repeat(64)} +ping +sentinel|is-primary-down-by-addr\n`, {
                image: "valkey/valkey:8-alpine",
                command: sentinelCommand("valkey", {
                    renderedFile: "/usr/local/etc/redis/sentinel-0.conf",
                    dataDir: "/data",
                    masterName: "cache",
                }),
            }),
        ],
    ],
    compliant: [
        ["the hardened container (app: +@all -@dangerous +info, admin)", hardenedDocker()],
        ["the hardened Kubernetes deployment", hardenedKubernetes()],
        ["a user with +@all that is off", [redisContainer({}, `${hardenedConf}\nuser web off #${"c".repeat(64)} ~* +@all\n`)]],
        [
            "a user with +@read -keys -sort_ro",
            [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +@read -keys -sort_ro\n`)],
        ],
        [
            "a user with a read-only selector",
            [
                redisContainer(
                    {},
                    `${hardenedConf}\nuser web on #${"c".repeat(64)} ~app:* +@write -@dangerous (~cache:* +@read -@dangerous)\n`,
                ),
            ],
        ],
        [
            "a user whose +@all selector was cleared",
            [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} ~* +get (~* +@all) clearselectors\n`)],
        ],
        [
            "a user with +client -client|kill ... that keeps only safe subcommands",
            [redisContainer({}, `${hardenedConf}\nuser web on #${"c".repeat(64)} +client|setname +client|id\n`)],
        ],
    ],
    unknown: [
        ["unknown config", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]],
        ["an ACL file unknown at preview", [withAclFile(UNKNOWN)]],
    ],
};
