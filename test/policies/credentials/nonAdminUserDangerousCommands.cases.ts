import { nonAdminUserDangerousCommands } from "../../../policies/credentials/nonAdminUserDangerousCommands";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { hardenedConf, hardenedKubernetes, redisContainer } from "../../../harness/policy/fixtures";
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
