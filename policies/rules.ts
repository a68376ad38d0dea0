// The policies of redis-guard, importable without starting the pack (index.ts does that).
import type { Policies } from "@pulumi/policy";
import { appendfsyncAlways } from "./appendfsyncAlways";
import { cacheNoEviction } from "./cacheNoEviction";
import { defaultUserFullAccess } from "./defaultUserFullAccess";
import { dockerContainerHardening } from "./dockerContainerHardening";
import { dockerInternalNetworkOnly } from "./dockerInternalNetworkOnly";
import { dockerNoHostNamespaces } from "./dockerNoHostNamespaces";
import { dockerNoPrivilegedOrSocket } from "./dockerNoPrivilegedOrSocket";
import { dockerNoPublishedPorts } from "./dockerNoPublishedPorts";
import { imagePinned } from "./imagePinned";
import { k8sNoHostNetwork } from "./k8sNoHostNetwork";
import { k8sNoIngressRoute } from "./k8sNoIngressRoute";
import { k8sNoPublicService } from "./k8sNoPublicService";
import { k8sPodHardening } from "./k8sPodHardening";
import { k8sRequireNetworkPolicy } from "./k8sRequireNetworkPolicy";
import { memoryLimit } from "./memoryLimit";
import { noLiteralPassword } from "./noLiteralPassword";
import { nonAdminUserDangerousCommands } from "./nonAdminUserDangerousCommands";
import { sentinelHelloChannel } from "./sentinelHelloChannel";
import { helloChannelReach } from "./helloChannelReach";
import { persistence } from "./persistence";
import { requireAuthAndHardening } from "./requireAuthAndHardening";
import { tlsInTransit } from "./tlsInTransit";

export const policies: Policies = [
    // Exposure
    dockerNoPublishedPorts,
    dockerNoHostNamespaces,
    dockerInternalNetworkOnly,
    k8sNoPublicService,
    k8sNoIngressRoute,
    k8sNoHostNetwork,
    k8sRequireNetworkPolicy,
    // Credentials and Redis hardening
    requireAuthAndHardening,
    noLiteralPassword,
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
