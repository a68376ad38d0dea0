// A component's outputs, named where they are declared (the schema analyzer reads the class's
// properties) and set once from one object, which the type checker holds to that declaration.
import type * as pulumi from "@pulumi/pulumi";

/** The Output properties of a component class, but its URN: every output it must publish. */
export type OutputsOf<C> = {
    [K in keyof C as K extends "urn" ? never : C[K] extends pulumi.Output<unknown> ? K : never]: C[K];
};

/** Sets each output on the component; returns them, for registerOutputs. */
export function assignOutputs<C extends pulumi.ComponentResource>(component: C, outputs: OutputsOf<C>): OutputsOf<C> {
    return Object.assign(component, outputs) && outputs;
}
