// Every redis-guard policy's cases, one file per policy: stacks that break it, keep it, or leave
// it unable to tell. Each policy's test file runs its own; the unknown/absent fuzz runs them all.
import { dockerNoPublishedPortsCase } from "./exposure/dockerNoPublishedPorts.cases";
import { dockerNoHostNamespacesCase } from "./exposure/dockerNoHostNamespaces.cases";
import { dockerInternalNetworkOnlyCase } from "./exposure/dockerInternalNetworkOnly.cases";
import { dockerNetworkUnseenCase } from "./exposure/dockerNetworkUnseen.cases";
import { k8sNoPublicServiceCase } from "./exposure/k8sNoPublicService.cases";
import { k8sNoIngressRouteCase } from "./exposure/k8sNoIngressRoute.cases";
import { k8sNoHostNetworkCase } from "./exposure/k8sNoHostNetwork.cases";
import { k8sPodHardeningCase } from "./container/k8sPodHardening.cases";
import { k8sRequireNetworkPolicyCase } from "./exposure/k8sRequireNetworkPolicy.cases";
import { k8sNoPatchExposureCase } from "./exposure/k8sNoPatchExposure.cases";
import { requireAuthAndHardeningCase } from "./credentials/requireAuthAndHardening.cases";
import { tlsInTransitCase } from "./exposure/tlsInTransit.cases";
import { noLiteralPasswordCase } from "./credentials/noLiteralPassword.cases";
import { configUnseenCase } from "./credentials/configUnseen.cases";
import { dockerNoPrivilegedOrSocketCase } from "./container/dockerNoPrivilegedOrSocket.cases";
import { dockerContainerHardeningCase } from "./container/dockerContainerHardening.cases";
import { persistenceCase } from "./operations/persistence.cases";
import { appendfsyncAlwaysCase } from "./operations/appendfsyncAlways.cases";
import { defaultUserFullAccessCase } from "./credentials/defaultUserFullAccess.cases";
import { nonAdminUserDangerousCommandsCase } from "./credentials/nonAdminUserDangerousCommands.cases";
import { sentinelHelloChannelCase } from "./credentials/sentinelHelloChannel.cases";
import { helloChannelReachCase } from "./credentials/helloChannelReach.cases";
import { cacheNoEvictionCase } from "./operations/cacheNoEviction.cases";
import { imagePinnedCase } from "./container/imagePinned.cases";
import { memoryLimitCase } from "./container/memoryLimit.cases";
import type { PolicyCase } from "./caseFixtures";

export type { PolicyCase } from "./caseFixtures";
export { hardenedDocker, k8sWith, withAclFile } from "./caseFixtures";

export const cases: PolicyCase[] = [
    dockerNoPublishedPortsCase,
    dockerNoHostNamespacesCase,
    dockerInternalNetworkOnlyCase,
    dockerNetworkUnseenCase,
    k8sNoPublicServiceCase,
    k8sNoIngressRouteCase,
    k8sNoHostNetworkCase,
    k8sPodHardeningCase,
    k8sRequireNetworkPolicyCase,
    k8sNoPatchExposureCase,
    requireAuthAndHardeningCase,
    tlsInTransitCase,
    noLiteralPasswordCase,
    configUnseenCase,
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
