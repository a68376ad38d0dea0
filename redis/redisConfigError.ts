/**
 * Thrown when a Redis setting is invalid. It names the setting, the value
 * that was given (never for secrets) and what is allowed, so the fix is
 * obvious from the message alone, e.g. at `pulumi preview`.
 */
export class RedisConfigError extends Error {
    /** The setting's name as the caller spelt it, e.g. `maxmemoryPolicy` or `savePoints.1.seconds`. */
    readonly setting: string;
    /** What the setting accepts. */
    readonly allowed: string;

    constructor(setting: string, allowed: string, shownValue: string) {
        super(`Invalid Redis setting "${setting}": got ${shownValue}; allowed: ${allowed}`);
        this.name = "RedisConfigError";
        this.setting = setting;
        this.allowed = allowed;
    }
}
