// A network partition of one container, as a cut cable or a failed switch port would make it:
// every packet in or out of its network namespace dropped, except on loopback and to or from the
// Docker host, which stays on the container's side of the cut, standing for a client cut off with
// it (the tests drive that side from the host). Unlike `docker
// network disconnect`, the container keeps its address and its DNS name, as a Kubernetes pod
// cut off from its peers keeps its DNS record; connections to it time out instead of being
// refused. Runs iptables in the container's namespace through nsenter: needs root on the Docker
// host, which is where the tests run.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type Docker from "dockerode";

const run = promisify(execFile);

const RULES = [
    ["INPUT", "-i"],
    ["OUTPUT", "-o"],
] as const;

async function iptables(pid: number, action: "-A" | "-D", host: string): Promise<void> {
    for (const [chain, direction] of RULES) {
        const peer = chain === "INPUT" ? "-s" : "-d";
        await run("nsenter", [`--net=/proc/${pid}/ns/net`, "iptables", action, chain, "!", direction, "lo", "!", peer, host, "-j", "DROP"]);
    }
}

/**
 * Cuts `container` (the one holding the network namespace: a pod's infra container or a network
 * holder) off the network. Resolves with the function that heals the partition.
 */
export async function partition(container: Docker.Container): Promise<() => Promise<void>> {
    const info = await container.inspect();
    const pid = info.State.Pid;
    const networks = Object.values(info.NetworkSettings.Networks);
    if (!pid || networks.length !== 1) throw new Error("partition: needs a running container on exactly one network");
    // The host's address on the container's bridge.
    const host = networks[0].Gateway;
    await iptables(pid, "-A", host);
    let healed = false;
    return async () => {
        if (healed) return;
        healed = true;
        await iptables(pid, "-D", host);
    };
}
