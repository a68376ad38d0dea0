// Every redis-guard policy's cases, one file per policy: stacks that break it, keep it, or leave
// it unable to tell. Each policy's test file runs its own; the unknown/absent fuzz runs them all.
import { dockerNoPublishedPortsCase } from "./dockerNoPublishedPorts";
import { dockerNoHostNamespacesCase } from "./dockerNoHostNamespaces";
import { dockerInternalNetworkOnlyCase } from "./dockerInternalNetworkOnly";
import { k8sNoPublicServiceCase } from "./k8sNoPublicService";
import { k8sNoIngressRouteCase } from "./k8sNoIngressRoute";
import { k8sNoHostNetworkCase } from "./k8sNoHostNetwork";
import { k8sPodHardeningCase } from "./k8sPodHardening";
import { k8sRequireNetworkPolicyCase } from "./k8sRequireNetworkPolicy";
import { requireAuthAndHardeningCase } from "./requireAuthAndHardening";
import { tlsInTransitCase } from "./tlsInTransit";
import { noLiteralPasswordCase } from "./noLiteralPassword";
import { dockerNoPrivilegedOrSocketCase } from "./dockerNoPrivilegedOrSocket";
import { dockerContainerHardeningCase } from "./dockerContainerHardening";
import { persistenceCase } from "./persistence";
import { appendfsyncAlwaysCase } from "./appendfsyncAlways";
import { defaultUserFullAccessCase } from "./defaultUserFullAccess";
import { nonAdminUserDangerousCommandsCase } from "./nonAdminUserDangerousCommands";
import { sentinelHelloChannelCase } from "./sentinelHelloChannel";
import { helloChannelReachCase } from "./helloChannelReach";
import { cacheNoEvictionCase } from "./cacheNoEviction";
import { imagePinnedCase } from "./imagePinned";
import { memoryLimitCase } from "./memoryLimit";
import type { PolicyCase } from "./shared";

export type { PolicyCase } from "./shared";
export { hardenedDocker, k8sWith, withAclFile } from "./shared";

export const cases: PolicyCase[] = [
    dockerNoPublishedPortsCase,
    dockerNoHostNamespacesCase,
    dockerInternalNetworkOnlyCase,
    k8sNoPublicServiceCase,
    k8sNoIngressRouteCase,
    k8sNoHostNetworkCase,
    k8sPodHardeningCase,
    k8sRequireNetworkPolicyCase,
    requireAuthAndHardeningCase,
    tlsInTransitCase,
    noLiteralPasswordCase,
    dockerNoPrivilegedOrSocketCase,
    dockerContainerHardeningCase,
    persistenceCase,
    appendfsyncAlwaysCase,
    defaultUserFullAccessCase,
    nonAdminUserDangerousCommandsCase,
    sentinelHelloChannelCase,
    helloChannelReachCase,
    cacheNoEvictionCase,
    imagePinnedCase,
    memoryLimitCase,
];
