// The `restricted` Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards,
// v1.30 and later), every control of it and of `baseline`, as a check on a pod spec. A namespace
// that enforces `restricted` admits a pod only if this finds nothing.

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   it reads untyped pod JSON field by field, as the admission controller does. */
type Obj = Record<string, any>;

const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);
const RESTRICTED_VOLUMES = new Set([
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
]);

/** Every way `spec` (with the pod template's annotations) breaks the restricted profile; empty when it is admitted. */
export function restrictedViolations(spec: Obj, annotations: Record<string, string> = {}): string[] {
    const problems: string[] = [];
    const fail = (control: string, where: string) => problems.push(`${control}: ${where}`);
    const pod: Obj = spec.securityContext ?? {};
    const containers: Obj[] = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];

    // Baseline
    for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[ns] === true) fail("host namespaces", ns);
    if (pod.windowsOptions?.hostProcess === true) fail("HostProcess", "pod");
    if (pod.seLinuxOptions) checkSeLinux(pod.seLinuxOptions, "pod");
    if (pod.seccompProfile?.type === "Unconfined") fail("seccomp", "pod Unconfined");
    if (pod.appArmorProfile && !["RuntimeDefault", "Localhost"].includes(pod.appArmorProfile.type)) fail("AppArmor", "pod");
    for (const sysctl of pod.sysctls ?? []) if (!SAFE_SYSCTLS.has(sysctl.name)) fail("sysctls", sysctl.name);
    for (const [key, value] of Object.entries(annotations)) {
        if (
            key.startsWith("container.apparmor.security.beta.kubernetes.io/") &&
            value !== "runtime/default" &&
            !value.startsWith("localhost/")
        ) {
            fail("AppArmor", key);
        }
    }
    for (const volume of spec.volumes ?? []) {
        const type = Object.keys(volume).find((k) => k !== "name");
        if (type === "hostPath") fail("hostPath volumes", volume.name);
        // Restricted
        if (type === undefined || !RESTRICTED_VOLUMES.has(type)) fail("volume types", `${volume.name} (${type})`);
    }

    const podNonRoot = pod.runAsNonRoot === true;
    const podSeccomp = ["RuntimeDefault", "Localhost"].includes(pod.seccompProfile?.type);
    if (pod.runAsUser === 0) fail("non-root user", "pod runAsUser 0");
    for (const c of containers) {
        const sc: Obj = c.securityContext ?? {};
        const where = `container ${c.name}`;
        if (sc.privileged === true) fail("privileged", where);
        if (sc.windowsOptions?.hostProcess === true) fail("HostProcess", where);
        if (sc.procMount !== undefined && sc.procMount !== "Default") fail("/proc mount", where);
        if (sc.seLinuxOptions) checkSeLinux(sc.seLinuxOptions, where);
        if (sc.seccompProfile?.type === "Unconfined") fail("seccomp", `${where} Unconfined`);
        if (sc.appArmorProfile && !["RuntimeDefault", "Localhost"].includes(sc.appArmorProfile.type)) fail("AppArmor", where);
        for (const port of c.ports ?? []) if (port.hostPort) fail("host ports", `${where} ${port.hostPort}`);
        const added: string[] = sc.capabilities?.add ?? [];
        for (const cap of added) if (!BASELINE_CAPABILITIES.has(cap)) fail("capabilities (baseline)", `${where} adds ${cap}`);
        // Restricted
        if (sc.allowPrivilegeEscalation !== false) fail("privilege escalation", `${where} allowPrivilegeEscalation is not false`);
        if (sc.runAsNonRoot === false || (!podNonRoot && sc.runAsNonRoot !== true)) fail("non-root", where);
        if (sc.runAsUser === 0) fail("non-root user", `${where} runAsUser 0`);
        if (!podSeccomp && !["RuntimeDefault", "Localhost"].includes(sc.seccompProfile?.type)) fail("seccomp (restricted)", where);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail("capabilities (restricted)", `${where} does not drop ALL`);
        for (const cap of added) if (cap !== "NET_BIND_SERVICE") fail("capabilities (restricted)", `${where} adds ${cap}`);
    }
    return problems;

    function checkSeLinux(options: Obj, where: string): void {
        if (!SELINUX_TYPES.has(options.type ?? "")) fail("SELinux", `${where} type`);
        if (options.user !== undefined || options.role !== undefined) fail("SELinux", `${where} user/role`);
    }
}
