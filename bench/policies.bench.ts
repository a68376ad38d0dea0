// Cost of redis-guard per resource, as a preview pays it: every policy over a hardened
// Docker deployment and a hardened Kubernetes deployment, through the same harness the
// tests use (engine wire format, the library's deserializer and unknown-checking proxy).
// Run with `npm run bench:policies`; per-resource cost = mean time / resources evaluated.
import { bench, describe } from "vitest";
import { policies } from "../policies/rules";
import { evaluate } from "../test/support/policyHarness";
import { hardenedKubernetes, internalNetwork, nginxContainer, redisContainer } from "../test/support/policyFixtures";

const docker = [internalNetwork, redisContainer(), nginxContainer];
const kubernetes = hardenedKubernetes();

async function runAll(resources: typeof docker): Promise<void> {
    for (const policy of policies) await evaluate(policy, resources);
}

describe(`all ${policies.length} policies`, () => {
    bench(`Docker stack (${docker.length} resources)`, () => runAll(docker));
    bench(`Kubernetes stack (${kubernetes.length} resources)`, () => runAll(kubernetes));
});
