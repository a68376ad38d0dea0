// What every policy's cases share: the shape of a case, and the stacks built from the fixtures.
import type { Policy } from "@pulumi/policy";
import type { TestResource } from "../../harness/policy/inProcess";
import { editConf, hardenedConf, hardenedKubernetes, internalNetwork, redisContainer } from "../../harness/policy/fixtures";

export interface PolicyCase {
    policy: Policy;
    /** Setups that break the policy: each must be reported. */
    violating: Array<[string, TestResource[]]>;
    /** Setups that keep it, including things that merely look like Redis. */
    compliant: Array<[string, TestResource[]]>;
    /** Setups whose deciding values are unknown at preview: no crash, no violation. */
    unknown: Array<[string, TestResource[]]>;
}

export const hardenedDocker = (): TestResource[] => [internalNetwork, redisContainer()];
export const k8sWith = (...replace: TestResource[]): TestResource[] => [
    ...hardenedKubernetes().filter((r) => !replace.some((x) => x.type === r.type && x.name === r.name)),
    ...replace,
];

/** A container that takes its users from an ACL file uploaded next to its config. */
/** `acl` is the file's text, or UNKNOWN (a string sentinel) for a value computed at deployment. */
export function withAclFile(acl: string): TestResource {
    const conf = `${editConf(hardenedConf, { user: null })}\naclfile /usr/local/etc/redis/users.acl\n`;
    const container = redisContainer({}, conf);
    const props = container.props as { uploads: unknown[] };
    return { ...container, props: { ...props, uploads: [...props.uploads, { file: "/usr/local/etc/redis/users.acl", content: acl }] } };
}
