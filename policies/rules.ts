// The policies of redis-guard, importable without starting the pack (index.ts does that).
import type { Policies } from "@pulumi/policy";
import { appendfsyncAlways } from "./operations/appendfsyncAlways";
import { cacheNoEviction } from "./operations/cacheNoEviction";
import { configUnseen } from "./credentials/configUnseen";
import { defaultUserFullAccess } from "./credentials/defaultUserFullAccess";
import { dockerContainerHardening } from "./container/dockerContainerHardening";
import { dockerInternalNetworkOnly } from "./exposure/dockerInternalNetworkOnly";
import { dockerNetworkUnseen } from "./exposure/dockerNetworkUnseen";
import { dockerNoHostNamespaces } from "./exposure/dockerNoHostNamespaces";
import { dockerNoPrivilegedOrSocket } from "./container/dockerNoPrivilegedOrSocket";
import { dockerNoPublishedPorts } from "./exposure/dockerNoPublishedPorts";
import { imagePinned } from "./container/imagePinned";
import { k8sNoHostNetwork } from "./exposure/k8sNoHostNetwork";
import { k8sNoIngressRoute } from "./exposure/k8sNoIngressRoute";
import { k8sNoPatchExposure } from "./exposure/k8sNoPatchExposure";
import { k8sNoPublicService } from "./exposure/k8sNoPublicService";
import { k8sPodHardening } from "./container/k8sPodHardening";
import { k8sRequireNetworkPolicy } from "./exposure/k8sRequireNetworkPolicy";
import { memoryLimit } from "./container/memoryLimit";
import { noLiteralPassword } from "./credentials/noLiteralPassword";
import { nonAdminUserDangerousCommands } from "./credentials/nonAdminUserDangerousCommands";
import { sentinelHelloChannel } from "./credentials/sentinelHelloChannel";
import { helloChannelReach } from "./credentials/helloChannelReach";
import { persistence } from "./operations/persistence";
import { requireAuthAndHardening } from "./credentials/requireAuthAndHardening";
import { tlsInTransit } from "./exposure/tlsInTransit";

export const policies: Policies = [
    // Exposure
    dockerNoPublishedPorts,
    dockerNoHostNamespaces,
    dockerInternalNetworkOnly,
    dockerNetworkUnseen,
    k8sNoPublicService,
    k8sNoIngressRoute,
    k8sNoHostNetwork,
    k8sRequireNetworkPolicy,
    k8sNoPatchExposure,
    // Credentials and Redis hardening
    requireAuthAndHardening,
    noLiteralPassword,
    configUnseen,
    defaultUserFullAccess,
    nonAdminUserDangerousCommands,
    sentinelHelloChannel,
    helloChannelReach,
    tlsInTransit,
    // Container hardening
    dockerNoPrivilegedOrSocket,
    dockerContainerHardening,
    k8sPodHardening,
    // Operations
    persistence,
    appendfsyncAlways,
    cacheNoEviction,
    imagePinned,
    memoryLimit,
];
