// An application stack on a hardened-redis stack: it builds examples/app into an image and runs it
// on Redis's internal network, with the secret connection string handed over as a file.
// Run `pulumi up` in this directory after `pulumi up` at the repository root.
import { createHash } from "node:crypto";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
// requireOutput keeps a secret output secret here: it is encrypted in this stack's state too.
const redis = new pulumi.StackReference(config.require("redisStack"));
const networkName = redis.requireOutput("networkName") as pulumi.Output<string>;
const connectionString = redis.requireOutput("connectionString") as pulumi.Output<string>;
// Public, and only there when the Redis stack runs TLS (`pulumi config set tls true`).
const caCertificate = redis.getOutput("caCertificate") as pulumi.Output<string | undefined>;

const SECRETS_DIR = "/run/secrets";
const files = { connectionString: `${SECRETS_DIR}/redis-url`, caCertificate: `${SECRETS_DIR}/redis-ca.crt` };

// Build arguments only where set: otherwise the Dockerfile's own defaults (node:24 images) apply.
const baseImages = Object.fromEntries(
    Object.entries({ NODE_BUILD_IMAGE: config.get("nodeBuildImage"), NODE_RUNTIME_IMAGE: config.get("nodeRuntimeImage") }).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
    ),
);
const image = new docker.Image("app", {
    imageName: config.get("imageName") ?? "hardened-redis-example-app:local",
    build: { context: "../app", args: baseImages, platform: "linux/amd64" },
    // A local image for the local engine; push to your registry (and drop this) for anything else.
    skipPush: true,
});

// The app runs with a read-only root filesystem, and Docker refuses the provider's uploads into
// such a container. So a container that is never started receives the files into a volume that
// the app mounts read-only (as DockerRedis does with its config). The provider writes uploads
// as root:root, so the secret is 0440 and the app reads it through group 0 (`user` below).
const secrets = new docker.Volume("app-secrets");
const secretsWriter = new docker.Container(
    "app-secrets",
    {
        image: image.imageName,
        start: false,
        mustRun: false,
        networkMode: "none",
        volumes: [{ volumeName: secrets.name, containerPath: SECRETS_DIR }],
        uploads: pulumi
            .all([connectionString, caCertificate])
            .apply(([url, ca]) => [
                { file: files.connectionString, content: url, permissions: "0440" },
                ...(ca === undefined ? [] : [{ file: files.caCertificate, content: ca, permissions: "0444" }]),
            ]),
    },
    { deleteBeforeReplace: true },
);

const app = new docker.Container(
    "app",
    {
        image: image.imageName,
        // The image's user (node, uid 1000) with group 0 as its primary group: the secret is root:root
        // 0440, so this process reads it and a process of any other uid (a `docker exec -u`) does not.
        user: "1000:0",
        readOnly: true,
        tmpfs: { "/tmp": "rw,noexec,nosuid,nodev,size=16m" },
        capabilities: { drops: ["ALL"] },
        securityOpts: ["no-new-privileges:true"],
        memory: 256,
        memorySwap: 256,
        // Only Redis's internal network: no published port, no route to anything else. The
        // connection string's host is Redis's alias there, resolved by Docker's DNS as it is.
        networksAdvanced: [{ name: networkName, aliases: ["app"] }],
        volumes: [{ volumeName: secrets.name, containerPath: SECRETS_DIR, readOnly: true }],
        // Where the secrets are, never what they are.
        envs: caCertificate.apply((ca) => [
            `REDIS_URL_FILE=${files.connectionString}`,
            ...(ca === undefined ? [] : [`REDIS_CA_FILE=${files.caCertificate}`]),
        ]),
        // A rotated password (or a new CA) replaces the app, which reads the files at start; a hash
        // of a 32-character random password reveals nothing.
        labels: [
            {
                label: "hardened-redis.example/secrets-sha256",
                value: pulumi.unsecret(
                    pulumi.all([connectionString, caCertificate]).apply(([url, ca]) =>
                        createHash("sha256")
                            .update(`${url}\n${ca ?? ""}`)
                            .digest("hex"),
                    ),
                ),
            },
        ],
        restart: "unless-stopped",
        logDriver: "json-file",
        logOpts: { "max-size": "10m", "max-file": "3" },
        // Up only once the image's HEALTHCHECK passes: the app answered /health, which pinged Redis.
        wait: true,
        waitTimeout: 120,
    },
    // Started once the writer has put the files in place.
    { dependsOn: [secretsWriter], deleteBeforeReplace: true },
);

export const appImage = image.imageName;
export const appContainer = app.name;
/** Reachable on Redis's internal network only (and from the Docker host, at the bridge address). */
export const appUrl = pulumi.interpolate`http://app:8080`;
