import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    ADMIN_USER,
    APP_USER,
    hardenedUsers,
    METRICS_USER,
    REPLICATION_USER,
    SENTINEL_USER,
    type RedisAclRules,
    type RedisAclUser,
    type RedisUserPasswords,
} from "../../redis/acl/users";

/** Every secret a hardened Redis is started with. */
export interface RedisCredentials {
    /** Each user's passwords, current first; the previous generation follows during a rotation (secret). */
    passwords: pulumi.Output<RedisUserPasswords>;
    /** The random name CONFIG is renamed to (secret). */
    configCommandName: pulumi.Output<string>;
}

/** How the credentials rotate. */
export interface CredentialRotation {
    /** The current generation (0, 1, 2, ...); raising it by one starts a rotation. */
    generation: number;
    /** Whether the previous generation's passwords are no longer accepted. */
    retirePrevious: boolean;
    /** Arbitrary values; changing any regenerates every password and the CONFIG name at once, with no overlap. */
    keepers?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** A password generator: one of a user's few, each holding one generation in turn. */
export interface PasswordSlot {
    slot: number;
    /** The generation whose password it holds; a new generation in this slot regenerates it. */
    generation: number;
}

/** The slots of `generations` (current first), generation N in slot N % `slots`. */
const slotsOf = (generations: number[], slots: number): PasswordSlot[] =>
    generations.filter((g) => g >= 0).map((generation) => ({ slot: generation % slots, generation }));

/**
 * The password slots a client's user (app, admin, metrics, extra users) has at a rotation:
 * generation N lives in slot N % 2, so raising N regenerates only the slot that held N - 1 and keeps
 * N's password accepted next to the new one. The previous generation is left out before the first
 * rotation and once it is retired. Current first.
 */
export function passwordSlots(generation: number, retirePrevious: boolean): PasswordSlot[] {
    return slotsOf(retirePrevious ? [generation] : [generation, generation - 1], 2);
}

/**
 * The password slots of a user the servers and Sentinels authenticate to each other with
 * (replication, sentinel): three generations, N in slot N % 3, never retired by
 * `retirePreviousCredentials` (no client holds them). Each authenticates with its previous
 * generation (peerPassword), so while a rotation rolls pods on generation N next to pods on N + 1,
 * each side's choice (N - 1, N) is one the other accepts; with two generations kept, the old pods'
 * N - 1 was refused by the new ones, and the Sentinels could not hand a primary over (a rotation
 * after a rotation stopped writes for 26 s: test/deployed/kubernetes.restarts.test.ts).
 */
export function peerPasswordSlots(generation: number): PasswordSlot[] {
    return slotsOf([generation, generation - 1, generation - 2], 3);
}

// Specials that survive redis.conf parsing, shells and URLs (after encoding) without quoting.
const PASSWORD_SPECIALS = "!#%*+,-.:=?@^_~";

/**
 * Generates every user's passwords (two slots per client's user, see {@link passwordSlots}; three
 * per peer user, see {@link peerPasswordSlots}) and the name CONFIG is renamed to, with
 * `@pulumi/random`. Raising the generation adds a new password per user next to the current one;
 * `retirePrevious` then drops the clients' previous one.
 */
export function createRedisCredentials(
    name: string,
    rotation: CredentialRotation,
    users: { extra: readonly string[]; replication: boolean; sentinel?: boolean; metrics?: boolean },
    parent: pulumi.Resource,
): RedisCredentials {
    const clientSlots = passwordSlots(rotation.generation, rotation.retirePrevious);
    const peerSlots = peerPasswordSlots(rotation.generation);
    const keepersFor = (generation: number) =>
        pulumi.output(rotation.keepers ?? {}).apply((keepers) => ({ ...keepers, generation: String(generation) }));
    const passwordsOf = (prefix: string, slots = clientSlots): pulumi.Output<string[]> =>
        pulumi.all(
            slots.map(
                ({ slot, generation }) =>
                    new random.RandomPassword(
                        `${prefix}-${slot}`,
                        {
                            length: 32,
                            special: true,
                            overrideSpecial: PASSWORD_SPECIALS,
                            minLower: 1,
                            minUpper: 1,
                            minNumeric: 1,
                            keepers: keepersFor(generation),
                        },
                        { parent },
                    ).result,
            ),
        );
    const app = passwordsOf(`${name}-${APP_USER}-password`);
    const admin = passwordsOf(`${name}-${ADMIN_USER}-password`);
    // No replicas, no replication user: nobody would use it.
    const replication = users.replication ? passwordsOf(`${name}-${REPLICATION_USER}-password`, peerSlots) : pulumi.output([]);
    const sentinel = users.sentinel ? passwordsOf(`${name}-${SENTINEL_USER}-password`, peerSlots) : pulumi.output([]);
    const metrics = users.metrics ? passwordsOf(`${name}-${METRICS_USER}-password`) : pulumi.output([]);
    const extraUsers = users.extra.map((user) => passwordsOf(`${name}-user-${user}-password`));
    // Not rotated with the generation: a renamed command has one name, with no overlap to give. A new name
    // mid-roll left the Sentinels, which reconfigure servers with it (`sentinel rename-command`), unable to
    // promote a server already on the new files until they rolled themselves: a handover failed and writes
    // stopped for 25 s (test/deployed/kubernetes.restarts.test.ts). `credentialKeepers` still regenerates it.
    const configCommand = new random.RandomString(
        `${name}-config-command`,
        { length: 32, special: false, keepers: pulumi.output(rotation.keepers ?? {}) },
        // RandomString's result is not secret by default; keep it out of plaintext state.
        { parent, additionalSecretOutputs: ["result"] },
    );
    return {
        passwords: pulumi.secret(
            pulumi
                .all([app, admin, replication, sentinel, metrics, pulumi.all(extraUsers)])
                .apply(
                    ([
                        appPasswords,
                        adminPasswords,
                        replicationPasswords,
                        sentinelPasswords,
                        metricsPasswords,
                        extraPasswords,
                    ]): RedisUserPasswords => ({
                        app: appPasswords,
                        admin: adminPasswords,
                        replication: replicationPasswords,
                        sentinel: sentinelPasswords,
                        metrics: metricsPasswords,
                        extra: Object.fromEntries(users.extra.map((user, i) => [user, extraPasswords[i]])),
                    }),
                ),
        ),
        configCommandName: pulumi.secret(configCommand.result),
    };
}

/**
 * `redis://<user>:<url-encoded password>@host:port/0` (`rediss://` with TLS), the format every
 * output and client helper uses.
 */
export function redisConnectionString(host: string, port: number, user: string, password: string, tls = false): string {
    return `${tls ? "rediss" : "redis"}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/0`;
}

/**
 * `redis+sentinel://<user>:<url-encoded password>@<sentinel>:<port>,…/<masterName>/0`
 * (`rediss+sentinel://` with TLS): where to ask for the primary, and the credential that works on
 * the Sentinels and the Redis servers alike. `hardened-redis/client`'s `connect()` reads it.
 */
export function redisSentinelConnectionString(
    sentinels: ReadonlyArray<{ host: string; port: number }>,
    masterName: string,
    user: string,
    password: string,
    tls = false,
): string {
    const hosts = sentinels.map((s) => `${s.host}:${s.port}`).join(",");
    return `${tls ? "rediss" : "redis"}+sentinel://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hosts}/${masterName}/0`;
}

/** Connection strings with each user's current password: the app's, the admin's and every extra user's. */
export function connectionStrings(
    host: string,
    port: number,
    passwords: RedisUserPasswords,
    tls = false,
): { app: string; admin: string; extra: Record<string, string> } {
    const url = (user: string, list: string[]) => redisConnectionString(host, port, user, list[0], tls);
    return {
        app: url(APP_USER, passwords.app),
        admin: url(ADMIN_USER, passwords.admin),
        extra: Object.fromEntries(Object.entries(passwords.extra ?? {}).map(([user, list]) => [user, url(user, list)])),
    };
}

/** As {@link connectionStrings}, through the Sentinels: what connect() needs to follow a failover. */
export function sentinelConnectionStrings(
    sentinels: ReadonlyArray<{ host: string; port: number }>,
    masterName: string,
    passwords: RedisUserPasswords,
    tls = false,
): { app: string; admin: string; extra: Record<string, string> } {
    const url = (user: string, list: string[]) => redisSentinelConnectionString(sentinels, masterName, user, list[0], tls);
    return {
        app: url(APP_USER, passwords.app),
        admin: url(ADMIN_USER, passwords.admin),
        extra: Object.fromEntries(Object.entries(passwords.extra ?? {}).map(([user, list]) => [user, url(user, list)])),
    };
}

/** The parts of a component's parsed args that shape its credentials and users. */
interface ParsedCredentialArgs {
    credentialGeneration: number;
    retirePreviousCredentials: boolean;
    extraUsers: Array<RedisAclRules & { name: string }>;
}

/** Generated credentials, the ACL users made of them, and the connection strings a host and port give them. */
export interface RedisAccess {
    credentials: RedisCredentials;
    /** The ACL users for renderRedisConfig (secret). */
    users: pulumi.Output<RedisAclUser[]>;
    /** Connection strings with each user's current password (each secret). */
    connectionStrings(
        host: pulumi.Input<string>,
        port: number,
        tls: boolean,
        sentinel?: { sentinels: pulumi.Input<Array<{ host: string; port: number }>>; masterName: string },
    ): {
        app: pulumi.Output<string>;
        admin: pulumi.Output<string>;
        extra: pulumi.Output<Record<string, string>>;
    };
}

/** The credentials, users and connection strings of a component, from its parsed args. */
export function redisAccess(
    name: string,
    settings: ParsedCredentialArgs,
    keepers: CredentialRotation["keepers"],
    replicated: boolean,
    parent: pulumi.Resource,
    sentinel = false,
    metrics = false,
): RedisAccess {
    const rotation = { generation: settings.credentialGeneration, retirePrevious: settings.retirePreviousCredentials, keepers };
    const extraRules = Object.fromEntries(settings.extraUsers.map(({ name: user, ...rules }) => [user, rules]));
    const credentials = createRedisCredentials(
        name,
        rotation,
        { extra: Object.keys(extraRules), replication: replicated, sentinel, metrics },
        parent,
    );
    return {
        credentials,
        users: pulumi.secret(credentials.passwords.apply((passwords) => hardenedUsers(passwords, extraRules))),
        connectionStrings(host, port, tls, sentinel) {
            const urls = pulumi
                .all([host, credentials.passwords, sentinel?.sentinels])
                .apply(([h, passwords, sentinels]) =>
                    sentinel === undefined || sentinels === undefined
                        ? connectionStrings(h, port, passwords, tls)
                        : sentinelConnectionStrings(sentinels, sentinel.masterName, passwords, tls),
                );
            return {
                app: pulumi.secret(urls.app),
                admin: pulumi.secret(urls.admin),
                extra: pulumi.secret(urls.extra),
            };
        },
    };
}
