import { requireAuthAndHardening } from "../../../policies/credentials/requireAuthAndHardening";
import { UNKNOWN, type TestResource } from "../../../harness/policy/inProcess";
import {
    editConf,
    hardenedConf,
    hardenedKubernetes,
    helmRelease,
    imageContainer,
    imageDeployment,
    internalNetwork,
    nginxContainer,
    OTHER_REDIS_IMAGES,
    plainRedisContainer,
    redisContainer,
    redisSecret,
    redisStatefulSet,
    SECRET,
} from "../../../harness/policy/fixtures";
import { type PolicyCase, hardenedDocker, k8sWith, withAclFile } from "../caseFixtures";

/** The Redis StatefulSet reading its config from a ConfigMap that holds it base64-encoded, in binaryData. */
const inConfigMapBinaryData = (conf: string): TestResource[] => [
    redisStatefulSet({ volumes: [{ name: "config", configMap: { name: "cache-conf" } }] }),
    {
        type: "kubernetes:core/v1:ConfigMap",
        name: "cache-conf",
        props: { metadata: { name: "cache-conf", namespace: "redis" }, binaryData: { "redis.conf": Buffer.from(conf).toString("base64") } },
    },
];

/** A ConfigMap of the stack holding `conf` as redis.conf. */
const confMap = (conf: string): TestResource => ({
    type: "kubernetes:core/v1:ConfigMap",
    name: "cache-override",
    props: { metadata: { name: "cache-override", namespace: "redis" }, data: { "redis.conf": conf } },
});

/**
 * The hardened Secret's directory and `conf` from a ConfigMap over it, as the container sees them:
 * a subPath file mounted into the directory (the deeper mount wins), or a projected volume whose
 * later source replaces the file.
 */
const overridden = (conf: string, how: "subPath" | "projected", under = hardenedConf): TestResource[] => {
    const mounts = [
        { name: "config", mountPath: "/usr/local/etc/redis", readOnly: true },
        { name: "override", mountPath: "/usr/local/etc/redis/redis.conf", subPath: "redis.conf" },
    ];
    const volumes =
        how === "subPath"
            ? [
                  { name: "config", secret: { secretName: "cache-config-1234" } },
                  { name: "override", configMap: { name: "cache-override" } },
              ]
            : [
                  {
                      name: "config",
                      projected: { sources: [{ secret: { name: "cache-config-1234" } }, { configMap: { name: "cache-override" } }] },
                  },
              ];
    return k8sWith(
        redisStatefulSet(
            { volumes },
            { volumeMounts: [{ name: "data", mountPath: "/data" }, ...(how === "subPath" ? mounts : mounts.slice(0, 1))] },
        ),
        confMap(conf),
        redisSecret(under),
    );
};

export const requireAuthAndHardeningCase: PolicyCase = {
    policy: requireAuthAndHardening,
    violating: [
        ["redis:7 with no config", [plainRedisContainer()]],
        ["a Helm release of Bitnami's redis chart with auth off", [helmRelease("redis", { auth: { enabled: false } })]],
        ...OTHER_REDIS_IMAGES.map(([what, image]): [string, TestResource[]] => [`${what} with no config`, [imageContainer(image)]]),
        ["valkey-server with only a port", [imageContainer("example/app:1", { command: ["valkey-server", "--port", "7000"] })]],
        ["a config without a password", [internalNetwork, redisContainer({}, editConf(hardenedConf, { user: null }))]],
        ["a user with nopass", [internalNetwork, redisContainer({}, editConf(hardenedConf, { user: "default on nopass ~* &* +@all" }))]],
        // Redis reads rule words case-insensitively, and the last of a password and nopass wins (#28).
        [
            "NOPASS after a password",
            [internalNetwork, redisContainer({}, editConf(hardenedConf, { user: `default on >${SECRET} NOPASS ~* +@all` }))],
        ],
        ["ResetPass NoPass after a hash", [withAclFile(`user default On #${"a".repeat(64)} ResetPass NoPass ~* +@all\n`)]],
        [
            "protected-mode no as an argument, with an unreadable config",
            [redisContainer({ command: ["redis-server", "/etc/redis.conf", "--protected-mode", "no"], uploads: [] })],
        ],
        // Whatever the file it cannot read says, the arguments' default user logs in without a password.
        [
            "a nopass default user as an argument, with an unreadable config",
            [
                internalNetwork,
                redisContainer({
                    command: ["redis-server", "/etc/redis/redis.conf", "--user", "default", "on", "nopass", "~*", "+@all"],
                    uploads: [],
                }),
            ],
        ],
        // Redis reads yes/no case-insensitively, and CONFIG renamed to itself still answers (checked on 7.0.15).
        [
            "protected-mode NO",
            [internalNetwork, redisContainer({ command: ["redis-server", "/usr/local/etc/redis/redis.conf", "--protected-mode", "NO"] })],
        ],
        [
            "enable-debug-command YES",
            [
                internalNetwork,
                redisContainer({ command: ["redis-server", "/usr/local/etc/redis/redis.conf", "--enable-debug-command", "YES"] }),
            ],
        ],
        [
            "CONFIG renamed to config",
            [internalNetwork, redisContainer({}, hardenedConf.replace(/^rename-command CONFIG .*$/m, "rename-command CONFIG config"))],
        ],
        ["CONFIG kept", [internalNetwork, redisContainer({}, hardenedConf.replace(/^rename-command CONFIG .*$/m, ""))]],
        ["DEBUG enabled", [internalNetwork, redisContainer({}, editConf(hardenedConf, { "enable-debug-command": "yes" }))]],
        ["a Kubernetes Secret config without auth", k8sWith(redisSecret(editConf(hardenedConf, { user: null })))],
        ["requirepass empty in args", [redisContainer({ command: ["redis-server", "--requirepass", ""] })]],
        ["an ACL file with a nopass default user", [withAclFile("user default on nopass ~* &* +@all\n")]],
        // binaryData was read as a file the pack could not see, and so skipped (#28).
        ["a config without auth mounted by subPath over the hardened one", overridden(editConf(hardenedConf, { user: null }), "subPath")],
        ["a config without auth projected after the hardened one", overridden(editConf(hardenedConf, { user: null }), "projected")],
        ["a config without auth in a ConfigMap's binaryData", inConfigMapBinaryData(editConf(hardenedConf, { user: null }))],
        ["an ACL file without a default user (Redis creates it with nopass)", [withAclFile("user app on #" + "a".repeat(64) + "\n")]],
    ],
    compliant: [
        ["the hardened container", hardenedDocker()],
        ["the hardened Kubernetes deployment", hardenedKubernetes()],
        [
            "valkey-server from the hardened config",
            [
                internalNetwork,
                redisContainer({ image: "valkey/valkey:8.0.2-alpine", command: ["valkey-server", "/usr/local/etc/redis/redis.conf"] }),
            ],
        ],
        // Its image's entrypoint adds dragonfly to flags, and it takes them as --name=value.
        [
            "Dragonfly with a password from a Secret and CONFIG disabled",
            [
                imageDeployment(
                    "docker.dragonflydb.io/dragonflydb/dragonfly:v1.25.1",
                    {},
                    {
                        args: ["--requirepass=$(PW)", "--rename_command=CONFIG="],
                        env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "kv", key: "password" } } }],
                    },
                ),
            ],
        ],
        // Redis reads `--include f` as it reads `include f` in a file.
        [
            "the hardened config through --include",
            [internalNetwork, redisContainer({ command: ["redis-server", "--include", "/usr/local/etc/redis/redis.conf"] })],
        ],
        [
            "a Helm release of Bitnami's redis chart with a password from a Secret",
            [helmRelease("redis", { auth: { enabled: true, existingSecret: "cache" } })],
        ],
        ["requirepass and a disabled CONFIG", [redisContainer({}, `requirepass ${SECRET}\nrename-command CONFIG ""\n`)]],
        ["an ACL file it cannot read", [redisContainer({}, 'aclfile /etc/redis/users.acl\nrename-command CONFIG ""\n')]],
        ["an ACL file that turns default off", [withAclFile("user default off\nuser app on #" + "a".repeat(64) + " ~* +@read\n")]],
        ["a default user whose password comes after nopass", [withAclFile(`user default on nopass >${SECRET} ~* +@read\n`)]],
        ["a default user turned off after nopass", [withAclFile("user default on nopass OFF\n")]],
        ["a default user with no password and no nopass (nobody logs in as it)", [withAclFile("user default on ~* +@read\n")]],
        ["nginx", [nginxContainer]],
        ["the hardened config in a ConfigMap's binaryData", inConfigMapBinaryData(hardenedConf)],
        [
            "the hardened config mounted by subPath over one without auth",
            overridden(hardenedConf, "subPath", editConf(hardenedConf, { user: null })),
        ],
        [
            "the hardened config projected after one without auth",
            overridden(hardenedConf, "projected", editConf(hardenedConf, { user: null })),
        ],
    ],
    unknown: [
        [
            "a default user's rule not known yet, with an unreadable config",
            [
                internalNetwork,
                redisContainer({
                    command: ["redis-server", "/etc/redis/redis.conf", "--user", "default", "on", "nopass", UNKNOWN],
                    uploads: [],
                }),
            ],
        ],
        [
            "config content unknown at preview",
            [internalNetwork, redisContainer({ uploads: [{ file: "/usr/local/etc/redis/redis.conf", content: UNKNOWN }] })],
        ],
        [
            "a Secret whose data is unknown",
            k8sWith({ ...redisSecret(), props: { metadata: { name: "cache-config-1234", namespace: "redis" }, stringData: UNKNOWN } }),
        ],
        ["a Secret name unknown at preview", k8sWith(redisStatefulSet({ volumes: [{ name: "config", secret: { secretName: UNKNOWN } }] }))],
    ],
};
