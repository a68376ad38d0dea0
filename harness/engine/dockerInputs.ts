// The Docker provider's inputs as realise.ts reads them: which inputs a docker.Container takes, the
// check that refuses any input realise.ts does not implement (so no security setting can be dropped
// silently), and the provider's own formats (durations, labels, the tar archive of an upload).

export type Props = Record<string, unknown>;

/** Fails on any property outside `handled` that has a value. */
export function onlyHandled(what: string, props: Props, handled: readonly string[]): void {
    const unknown = Object.keys(props).filter((k) => props[k] !== undefined && !handled.includes(k));
    if (unknown.length > 0) throw new Error(`realise: ${what} input(s) not implemented: ${unknown.join(", ")}`);
}

/** "5s", "1m30s", "250ms" to nanoseconds, as the provider's time.ParseDuration. */
export function durationNs(text: string): number {
    const units: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
    let total = 0;
    const re = /(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g;
    let matched = "";
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        total += Number(m[1]) * units[m[2]];
        matched += m[0];
    }
    if (matched !== text) throw new Error(`realise: cannot parse duration ${JSON.stringify(text)}`);
    return total;
}

/** A one-file tar archive, as the provider builds it (owned by root unless a group is given). */
export function tarOf(file: string, content: Buffer, mode: number, gid = 0): Buffer {
    const header = Buffer.alloc(512);
    const field = (value: string, offset: number, length: number) => header.write(value, offset, length, "utf8");
    const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0");
    field(file, 0, 100);
    field(octal(mode, 8), 100, 8);
    field(octal(0, 8), 108, 8);
    field(octal(gid, 8), 116, 8);
    field(octal(content.length, 12), 124, 12);
    field(octal(Math.floor(Date.now() / 1000), 12), 136, 12);
    field("        ", 148, 8);
    field("0", 156, 1);
    field("ustar\0", 257, 6);
    field("00", 263, 2);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    field(`${octal(checksum, 7)}\0`, 148, 8);
    const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
    return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

/** Every docker.Container input realise.ts implements. */
export const CONTAINER_INPUTS = [
    "name",
    "image",
    "command",
    "entrypoints",
    "user",
    "envs",
    "readOnly",
    "tmpfs",
    "capabilities",
    "securityOpts",
    "memory",
    "memorySwap",
    "cpuShares",
    "cpus",
    "ulimits",
    "networkMode",
    "networksAdvanced",
    "volumes",
    "uploads",
    "healthcheck",
    "restart",
    "logDriver",
    "logOpts",
    "labels",
    "stopSignal",
    "stopTimeout",
    "destroyGraceSeconds",
    "wait",
    "waitTimeout",
    "mustRun",
    "start",
] as const;

/** docker.Container inputs, as resolved values. */
export interface ContainerInputs {
    name: string;
    image: string;
    command?: string[];
    entrypoints?: string[];
    user?: string;
    envs?: string[];
    readOnly?: boolean;
    tmpfs?: Record<string, string>;
    capabilities?: { adds?: string[]; drops?: string[] };
    securityOpts?: string[];
    memory?: number;
    memorySwap?: number;
    cpuShares?: number;
    cpus?: string;
    ulimits?: Array<{ name: string; soft: number; hard: number }>;
    networkMode?: string;
    networksAdvanced?: Array<{ name: string; aliases?: string[] }>;
    volumes?: Array<{ volumeName: string; containerPath: string; readOnly?: boolean }>;
    uploads?: Array<{ file: string; content: string; permissions?: string }>;
    healthcheck?: { tests: string[]; interval?: string; timeout?: string; startPeriod?: string; retries?: number };
    restart?: string;
    logDriver?: string;
    logOpts?: Record<string, string>;
    labels?: Array<{ label: string; value: string }>;
    stopSignal?: string;
    stopTimeout?: number;
    wait?: boolean;
    waitTimeout?: number;
    start?: boolean;
}

/** The provider's `labels` list as Docker's label map. */
export const labelMap = (labels: Array<{ label: string; value: string }> = []) => Object.fromEntries(labels.map((l) => [l.label, l.value]));
/** A provider duration (healthcheck intervals) in the nanoseconds Docker takes; unset stays unset. */
export const nanos = (d: string | undefined) => (d === undefined ? undefined : durationNs(d));
