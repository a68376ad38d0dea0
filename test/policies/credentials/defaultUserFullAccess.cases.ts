import { defaultUserFullAccess } from "../../../policies/credentials/defaultUserFullAccess";
import { UNKNOWN } from "../../../harness/policy/inProcess";
import { editConf, hardenedConf, hardenedKubernetes, redisContainer, SECRET } from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker, withAclFile } from "../caseFixtures";

export const defaultUserFullAccessCase: PolicyCase = {
    policy: defaultUserFullAccess,
    violating: [
        [
            "requirepass alone (the default user keeps every command)",
            [redisContainer({}, editConf(hardenedConf, { user: null, requirepass: SECRET }))],
        ],
        [
            "a default user with a password and +@all",
            [redisContainer({}, editConf(hardenedConf, { user: `default on >${SECRET} ~* +@all` }))],
        ],
        ["a default user with +@admin", [redisContainer({}, editConf(hardenedConf, { user: `default on >${SECRET} ~* +@read +@admin` }))]],
        ["an ACL file whose default user has +@all", [withAclFile(`user default on #${"b".repeat(64)} ~* &* +@all\n`)]],
    ],
    compliant: [
        ["the hardened container (default off)", hardenedDocker()],
        ["the hardened Kubernetes deployment", hardenedKubernetes()],
        [
            "a default user without @dangerous",
            [redisContainer({}, editConf(hardenedConf, { user: `default on >${SECRET} ~* +@all -@dangerous +info` }))],
        ],
        ["an ACL file that turns default off", [withAclFile("user default off\n")]],
    ],
    unknown: [
        ["unknown config", [redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })]],
        ["an ACL file unknown at preview", [withAclFile(UNKNOWN)]],
    ],
};
