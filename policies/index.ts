// The redis-guard policy pack. Constructing a PolicyPack starts its gRPC server, so nothing
// but the Pulumi engine (or the engine test) should import this file; import rules.ts instead.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("redis-guard", { policies });
