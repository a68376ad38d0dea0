// A pack that checks nothing, served by the same @pulumi/policy server as redis-guard: what the
// engine pays per resource for any pack at all (the gRPC round trip, the properties deserialised
// and proxied), the baseline redis-guard's own cost is measured against (bench/policyCost.ts).
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("noop", {
    policies: [
        {
            name: "noop-resource",
            description: "Checks nothing, for each resource.",
            enforcementLevel: "advisory",
            validateResource: () => undefined,
        },
        { name: "noop-stack", description: "Checks nothing, for the stack.", enforcementLevel: "advisory", validateStack: () => undefined },
    ],
});
