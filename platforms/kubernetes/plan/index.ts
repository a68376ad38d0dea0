// The Kubernetes plan, by concern: topology.ts (the plan, names and roles), pods.ts, network.ts,
// sentinel.ts and monitoring.ts.
export * from "./topology";
export * from "./pods";
export * from "./network";
export * from "./sentinel";
export * from "./monitoring";
export * from "./fromArgs";
