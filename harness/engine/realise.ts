// Realises the Docker resources a component declared (captured under Pulumi mocks) on the
// real Docker engine, doing what the Docker provider does with each input. An input this
// file does not implement is an error, so no security setting can be dropped silently.
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type Docker from "dockerode";
import { registrationOptions, unwrapSecrets, type RegisteredResource } from "../mocks/pulumiMocks";
import { CONTAINER_INPUTS, labelMap, nanos, onlyHandled, tarOf, type ContainerInputs, type Props } from "./dockerInputs";
import { TEST_LABEL } from "./engine";
import { buildFrom, imageIdOf, localImageId } from "./standinImage";

// Where they always were, for the harness, tests and bench that import them from here.
export { durationNs, tarOf } from "./dockerInputs";

export interface Realised {
    /** Containers by resource name. */
    containers: Map<string, Docker.Container>;
    /** Docker network names by resource name. */
    networks: Map<string, string>;
    /** Docker volume names by resource name. */
    volumes: Map<string, string>;
    /** Removes every container, network and volume created (volumes too unless `keepVolumes`). */
    remove(options?: { keepVolumes?: boolean }): Promise<void>;
    /**
     * What a later registration of the same program (a rotated credential, a changed setting) asks
     * of the containers: `pulumi up` replaces each container whose inputs changed.
     */
    revise(resources: RegisteredResource[]): ContainerRevision;
}

/** The containers a later registration changes, and their replacement as `pulumi up` does it. */
export interface ContainerRevision {
    /** The containers (by resource name) whose inputs differ from those realised. */
    changed: string[];
    /**
     * Replaces them as the engine replaces resources marked deleteBeforeReplace, as every container
     * of the components is: each deleted (its stop signal, then SIGKILL after its stop timeout) once
     * every changed container depending on it is gone, and created (uploaded into, started, healthy
     * with `wait`) once everything it depends on exists; nothing else orders them, so those
     * independent of each other go at once. Dependencies are those the program registered.
     * `stop`, when given, stops each container instead of the engine's stop (the bench stops a
     * server's Redis alone with it, bypassing its start script); the container is removed after.
     */
    apply(stop?: (name: string, container: Docker.Container) => Promise<void>): Promise<void>;
}

/** Creates, uploads into and starts a container exactly as its inputs say. */
async function realiseContainer(
    docker: Docker,
    resource: RegisteredResource,
    props: Props,
    imageIds: Map<string, string>,
    runId: string,
): Promise<Docker.Container> {
    onlyHandled("docker.Container", props, CONTAINER_INPUTS);
    const c = props as unknown as ContainerInputs;
    onlyHandled("docker.Container capabilities", c.capabilities ?? {}, ["adds", "drops"]);
    const networks = c.networksAdvanced ?? [];
    networks.forEach((n) => onlyHandled("docker.Container networksAdvanced", n, ["name", "aliases"]));
    (c.volumes ?? []).forEach((v) => onlyHandled("docker.Container volumes", v, ["volumeName", "containerPath", "readOnly"]));
    if (c.healthcheck)
        onlyHandled("docker.Container healthcheck", c.healthcheck, ["tests", "interval", "timeout", "startPeriod", "retries"]);
    (c.uploads ?? []).forEach((u) => onlyHandled("docker.Container uploads", u, ["file", "content", "permissions"]));

    const image = imageIds.get(c.image);
    if (!image) throw new Error(`realise: container ${resource.name} uses an image no RemoteImage provided`);
    // The provider creates on the default bridge and connects networks before start; creating
    // straight onto the first network gives the same result without the bridge step.
    const [first, ...others] = networks;
    const container = await docker.createContainer({
        name: `${c.name}-${runId}`,
        Image: image,
        Cmd: c.command,
        Entrypoint: c.entrypoints,
        User: c.user,
        Env: c.envs,
        Labels: { ...labelMap(c.labels), [TEST_LABEL]: runId },
        StopSignal: c.stopSignal,
        StopTimeout: c.stopTimeout,
        Healthcheck: c.healthcheck && {
            Test: c.healthcheck.tests,
            Interval: nanos(c.healthcheck.interval),
            Timeout: nanos(c.healthcheck.timeout),
            StartPeriod: nanos(c.healthcheck.startPeriod),
            Retries: c.healthcheck.retries,
        },
        HostConfig: {
            NetworkMode: first ? first.name : (c.networkMode ?? "bridge"),
            ReadonlyRootfs: c.readOnly === true,
            Tmpfs: c.tmpfs,
            CapAdd: c.capabilities?.adds,
            CapDrop: c.capabilities?.drops,
            SecurityOpt: c.securityOpts,
            Memory: c.memory === undefined ? undefined : c.memory * 1024 * 1024,
            MemorySwap: c.memorySwap === undefined ? undefined : c.memorySwap * 1024 * 1024,
            // As the provider maps them: shares as given, cpus in billionths of a core.
            CpuShares: c.cpuShares,
            NanoCpus: c.cpus === undefined ? undefined : Math.round(Number(c.cpus) * 1e9),
            Ulimits: c.ulimits?.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })),
            Binds: (c.volumes ?? []).map((v) => `${v.volumeName}:${v.containerPath}${v.readOnly ? ":ro" : ""}`),
            RestartPolicy: c.restart ? { Name: c.restart } : undefined,
            LogConfig: c.logDriver ? { Type: c.logDriver, Config: c.logOpts ?? {} } : undefined,
        },
        NetworkingConfig: first ? { EndpointsConfig: { [first.name]: { Aliases: first.aliases ?? [] } } } : undefined,
    });
    for (const network of others) {
        await docker.getNetwork(network.name).connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases ?? [] } });
    }
    for (const upload of c.uploads ?? []) {
        const mode = upload.permissions ? parseInt(upload.permissions, 8) : 0o644;
        // At "/", as the provider does: the engine refuses it for a read-only root filesystem.
        await container.putArchive(tarOf(upload.file.replace(/^\//, ""), Buffer.from(upload.content), mode), { path: "/" });
    }
    if (c.start === false) return container;
    await container.start();
    if (c.wait === true) {
        // The caller only learns of the container once it is healthy: remove it here if it never is.
        await waitHealthy(container, (c.waitTimeout ?? 60) * 1000).catch(async (e: unknown) => {
            await container.remove({ force: true, v: false }).catch(() => undefined);
            throw e;
        });
    }
    return container;
}

/** Waits for the healthcheck to report healthy, as the provider's `wait` does. */
export async function waitHealthy(container: Docker.Container, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const info = await container.inspect();
        const state = info.State;
        if (state.Health?.Status === "healthy") return;
        // What went wrong, for the test's failure message: the last health check and log lines.
        const why = async () => {
            const logs = await container.logs({ stdout: true, stderr: true, tail: 15 });
            const check = state.Health?.Log?.at(-1)?.Output ?? "";
            return `${info.Name}: last health check: ${check.trim()}\n${logs.toString("utf8")}`;
        };
        if (!state.Running) throw new Error(`container exited (${state.ExitCode}) before it was healthy; ${await why()}`);
        if (Date.now() > deadline) throw new Error(`container not healthy after ${timeoutMs} ms (${state.Health?.Status}); ${await why()}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** The top-level entries of a build context that `.dockerignore` leaves in (plain names only, as ours are). */
async function contextEntries(context: string): Promise<string[]> {
    const ignore = await readFile(resolve(context, ".dockerignore"), "utf8").catch(() => "");
    const patterns = ignore
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"));
    const unsupported = patterns.filter((p) => !/^[\w.-]+\/?$/.test(p));
    if (unsupported.length > 0) throw new Error(`realise: .dockerignore patterns not implemented: ${unsupported.join(", ")}`);
    const ignored = new Set(patterns.map((p) => p.replace(/\/$/, "")));
    return (await readdir(context)).filter((entry) => !ignored.has(entry));
}

/** Builds a docker.Image as the provider does with the classic builder: context, Dockerfile, build arguments. */
async function realiseImage(docker: Docker, props: Props, programDir: string): Promise<{ name: string; id: string }> {
    // buildOnPreview only matters during a preview, which realising is not.
    onlyHandled("docker.Image", props, ["imageName", "build", "skipPush", "buildOnPreview"]);
    if (props.skipPush !== true) throw new Error("realise: docker.Image without skipPush would push to a registry");
    const build = (props.build ?? {}) as { context?: string; dockerfile?: string; args?: Record<string, string>; platform?: string };
    onlyHandled("docker.Image build", build, ["context", "dockerfile", "args", "platform"]);
    if (build.platform !== undefined && build.platform !== "linux/amd64")
        throw new Error(`realise: platform ${build.platform} not implemented`);
    const context = resolve(programDir, build.context ?? ".");
    const name = String(props.imageName);
    await buildFrom(docker, context, await contextEntries(context), {
        t: name,
        dockerfile: build.dockerfile ?? "Dockerfile",
        buildargs: build.args ?? {},
    });
    const id = await imageIdOf(docker, name);
    if (!id) throw new Error(`realise: building ${name} produced no image`);
    return { name, id };
}

/** A Realised that records everything created, so that `remove` (and a failed realisation) can undo it. */
type Tracked = Realised & { created: { containers: Docker.Container[]; networks: string[]; volumes: string[]; images: string[] } };

/** What realising each resource needs: this run's suffix, the images built or pulled so far, and the names given so far. */
interface Run {
    docker: Docker;
    runId: string;
    realised: Tracked;
    /** Local image ids, by the image reference containers use. */
    imageIds: Map<string, string>;
    /** Names in container inputs refer to the mocked names; map them to this run's names. */
    renames: Map<string, string>;
    programDir: string | undefined;
    /** Each realised resource's inputs, by resource name, to tell what a revision changes. */
    props: Map<string, Props>;
}

/**
 * Realises every docker:* resource among `resources`, in dependency order (images,
 * networks, volumes, then containers in registration order). Resource names get a
 * per-run suffix; everything carries the test label for cleanup.
 */
export async function realiseDockerResources(
    docker: Docker,
    resources: RegisteredResource[],
    /** Where the program runs, which relative build contexts start from (default: the current directory). */
    options: { programDir?: string } = {},
): Promise<Realised> {
    const runId = randomBytes(4).toString("hex");
    const realised = tracked(docker);
    const run: Run = {
        docker,
        runId,
        realised,
        imageIds: new Map(),
        renames: new Map(),
        programDir: options.programDir,
        props: new Map(),
    };
    realised.revise = (next) => revision(run, next);
    try {
        for (const r of resources.filter((r) => r.type.startsWith("docker:"))) await realiseResource(run, r);
    } catch (e) {
        await realised.remove();
        throw e;
    }
    return realised;
}

/** An empty Realised whose `remove` removes what is recorded in `created`. */
function tracked(docker: Docker): Tracked {
    return {
        containers: new Map(),
        networks: new Map(),
        volumes: new Map(),
        created: { containers: [], networks: [], volumes: [], images: [] },
        revise: () => {
            throw new Error("realise: revise before the first realisation");
        },
        async remove(options = {}) {
            for (const c of this.created.containers.reverse()) await c.remove({ force: true, v: false }).catch(() => undefined);
            for (const image of this.created.images)
                await docker
                    .getImage(image)
                    .remove()
                    .catch(() => undefined);
            for (const n of this.created.networks)
                await docker
                    .getNetwork(n)
                    .remove()
                    .catch(() => undefined);
            if (!options.keepVolumes)
                for (const v of this.created.volumes)
                    await docker
                        .getVolume(v)
                        .remove({ force: true })
                        .catch(() => undefined);
        },
    };
}

/** Realises one docker:* resource, as the provider would once everything before it exists. */
async function realiseResource(run: Run, r: RegisteredResource): Promise<void> {
    const { docker, realised } = run;
    const props = unwrapSecrets(r.state) as Props;
    run.props.set(`${r.type}::${r.name}`, props);
    switch (r.type) {
        case "docker:index/remoteImage:RemoteImage": {
            onlyHandled("docker.RemoteImage", props, ["name", "keepLocally", "imageId"]);
            run.imageIds.set(String(props.imageId), await localImageId(docker, String(props.name)));
            break;
        }
        case "docker:index/image:Image": {
            const built = await realiseImage(docker, props, run.programDir ?? process.cwd());
            run.imageIds.set(built.name, built.id);
            realised.created.images.push(built.name);
            break;
        }
        case "docker:index/network:Network":
            realised.networks.set(r.name, await realiseNetwork(run, props));
            break;
        case "docker:index/volume:Volume":
            realised.volumes.set(r.name, await realiseVolume(run, props));
            break;
        case "docker:index/container:Container": {
            // Dependencies first: a container comes after what it mounts and joins.
            const container = await realiseContainer(docker, r, withRunNames(props, run.renames), run.imageIds, run.runId);
            realised.containers.set(r.name, container);
            realised.created.containers.push(container);
            run.renames.set(String(props.name), `${String(props.name)}-${run.runId}`);
            break;
        }
        default:
            throw new Error(`realise: resource type ${r.type} not implemented`);
    }
}

/** The containers `resources` (a later registration of the same program) change, against what `run` realised. */
function revision(run: Run, resources: RegisteredResource[]): ContainerRevision {
    const docker = resources.filter((r) => r.type.startsWith("docker:"));
    const key = (type: string, name: string) => `${type}::${name}`;
    const CONTAINER = "docker:index/container:Container";
    const added = docker.filter((r) => !run.props.has(key(r.type, r.name))).map((r) => r.name);
    if (added.length > 0 || docker.length !== run.props.size)
        throw new Error(`realise: a revision that adds or removes resources is not implemented (${added.join(", ")})`);
    const inputs = new Map(docker.filter((r) => r.type === CONTAINER).map((r) => [r.name, unwrapSecrets(r.state) as Props]));
    const changed = [...inputs]
        .filter(([name, props]) => JSON.stringify(props) !== JSON.stringify(run.props.get(key(CONTAINER, name))))
        .map(([name]) => name);
    // What each changed container depends on among the changed ones, as registered.
    const dependsOn = new Map(
        changed.map((name) => {
            const urns = registrationOptions.get(key(CONTAINER, name))?.dependencies ?? [];
            return [name, changed.filter((other) => other !== name && urns.some((urn) => urn.endsWith(key(CONTAINER, other))))];
        }),
    );
    /** Runs `step` on every name in waves: each once `ready(name, done)` holds, those ready together at once. */
    const waves = async (step: (name: string) => Promise<void>, ready: (name: string, done: Set<string>) => boolean) => {
        const done = new Set<string>();
        while (done.size < changed.length) {
            const wave = changed.filter((n) => !done.has(n) && ready(n, done));
            if (wave.length === 0) throw new Error("realise: a dependency cycle among the changed containers");
            await Promise.all(wave.map(step));
            wave.forEach((n) => done.add(n));
        }
    };
    return {
        changed,
        async apply(stop = (_: string, container: Docker.Container) => container.stop()) {
            // Deleted dependents first: a container once every changed container depending on it is gone.
            await waves(
                async (name) => {
                    const old = run.realised.containers.get(name)!;
                    await stop(name, old).catch(() => undefined);
                    await old.remove({ force: true, v: false });
                },
                (name, gone) => changed.every((other) => gone.has(other) || !dependsOn.get(other)!.includes(name)),
            );
            await waves(
                async (name) => {
                    const r = docker.find((x) => x.type === CONTAINER && x.name === name)!;
                    const props = inputs.get(name)!;
                    const container = await realiseContainer(run.docker, r, withRunNames(props, run.renames), run.imageIds, run.runId);
                    run.realised.containers.set(name, container);
                    run.realised.created.containers.push(container);
                    run.props.set(key(CONTAINER, name), props);
                },
                (name, made) => dependsOn.get(name)!.every((d) => made.has(d)),
            );
        },
    };
}

/** Creates a docker.Network under this run's name, which it returns. */
async function realiseNetwork({ docker, runId, renames, realised }: Run, props: Props): Promise<string> {
    onlyHandled("docker.Network", props, ["name", "internal", "driver", "labels"]);
    const n = props as {
        name: string;
        internal?: boolean;
        driver?: string;
        labels?: Array<{ label: string; value: string }>;
    };
    const name = `${n.name}-${runId}`;
    await docker.createNetwork({
        Name: name,
        Internal: n.internal === true,
        Driver: n.driver ?? "bridge",
        Labels: { ...labelMap(n.labels), [TEST_LABEL]: runId },
    });
    renames.set(String(props.name), name);
    realised.created.networks.push(name);
    return name;
}

/** Creates a docker.Volume under this run's name, which it returns. */
async function realiseVolume({ docker, runId, renames, realised }: Run, props: Props): Promise<string> {
    onlyHandled("docker.Volume", props, ["name", "labels"]);
    const v = props as { name: string; labels?: Array<{ label: string; value: string }> };
    const name = `${v.name}-${runId}`;
    await docker.createVolume({ Name: name, Labels: { ...labelMap(v.labels), [TEST_LABEL]: runId } });
    renames.set(String(props.name), name);
    realised.created.volumes.push(name);
    return name;
}

/** A container's inputs with the networks, volumes and containers they name renamed to this run's names. */
function withRunNames(props: Props, renames: Map<string, string>): Props {
    const rename = (value: unknown) => renames.get(String(value)) ?? String(value);
    return {
        ...props,
        networksAdvanced: (props.networksAdvanced as Props[] | undefined)?.map((n) => ({ ...n, name: rename(n.name) })),
        volumes: (props.volumes as Props[] | undefined)?.map((v) => ({ ...v, volumeName: rename(v.volumeName) })),
        // `container:<name>` joins another container's network namespace: this run's name for it.
        networkMode:
            typeof props.networkMode === "string" && props.networkMode.startsWith("container:")
                ? `container:${rename(props.networkMode.slice("container:".length))}`
                : props.networkMode,
    };
}

/** The container's address on one of its networks: the host reaches internal networks there. */
export async function addressOn(container: Docker.Container, network: string): Promise<string> {
    const info = await container.inspect();
    const address = info.NetworkSettings.Networks[network]?.IPAddress;
    if (!address) throw new Error(`container ${info.Name} has no address on ${network}`);
    return address;
}
