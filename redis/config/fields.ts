// zod fields the settings of Redis, Sentinel and the components are built from, each with the
// message that says what is allowed, so a bad value is refused in the same words everywhere.
import { z } from "zod";
import { ABSOLUTE_PATH, HOST_NAME } from "../../policies/shared/syntax";

/** An integer from `min` to `max`; `allowed` is the whole message (it says the range in the setting's own terms). */
export function integer(min: number, max: number, allowed: string) {
    return z.number({ error: allowed }).int({ error: allowed }).min(min, { error: allowed }).max(max, { error: allowed });
}

/** A TCP port. */
export const tcpPort = integer(1, 65535, "an integer from 1 to 65535");

const PATH_ALLOWED = "an absolute path of letters, digits, '.', '_', '-' and '/'";
/** An absolute path that needs no quoting in a config line or a shell. */
export const absolutePath = z.string({ error: PATH_ALLOWED }).regex(ABSOLUTE_PATH, { error: PATH_ALLOWED });

const HOST_ALLOWED = "a DNS name or IP address (letters, digits, '.' and '-')";
/** A host to connect to: a DNS name or an IP address. */
export const hostName = z.string({ error: HOST_ALLOWED }).regex(HOST_NAME, { error: HOST_ALLOWED });
