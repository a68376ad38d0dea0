import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** The two credentials every hardened Redis needs, both secret. */
export interface RedisCredentials {
    password: pulumi.Output<string>;
    configCommandName: pulumi.Output<string>;
}

// Specials that survive redis.conf parsing, shells and URLs (after encoding) without quoting.
const PASSWORD_SPECIALS = "!#%*+,-.:=?@^_~";

/**
 * Generates the password and the random name CONFIG is renamed to. Changing
 * `keepers` regenerates both, which rotates them on the next `pulumi up`.
 */
export function createRedisCredentials(
    name: string,
    keepers: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
    parent: pulumi.Resource,
): RedisCredentials {
    const password = new random.RandomPassword(
        `${name}-password`,
        { length: 32, special: true, overrideSpecial: PASSWORD_SPECIALS, minLower: 1, minUpper: 1, minNumeric: 1, keepers },
        { parent },
    );
    const configCommand = new random.RandomString(
        `${name}-config-command`,
        { length: 32, special: false, keepers },
        // RandomString's result is not secret by default; keep it out of plaintext state.
        { parent, additionalSecretOutputs: ["result"] },
    );
    return {
        password: pulumi.secret(password.result),
        configCommandName: pulumi.secret(configCommand.result),
    };
}

/** `redis://default:<url-encoded password>@host:port/0`, the format every output and client helper uses. */
export function redisConnectionString(host: string, port: number, password: string): string {
    return `redis://default:${encodeURIComponent(password)}@${host}:${port}/0`;
}
