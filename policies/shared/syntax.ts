// The syntax of the values the components write and the pack reads back: paths, host names and
// image references. One definition, so that what a component renders is what the pack recognises.

/** An absolute path of letters, digits, `.`, `_`, `-` and `/`: nothing a shell or a config line would read otherwise. */
export const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]+$/;

/** A DNS name or an IP address: letters, digits, `.` and `-`, at most 253 characters, starting and ending alphanumeric. */
export const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/** A name Sentinel monitors a primary under: 1 to 64 letters, digits, `_` or `-`. */
export const MASTER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A DNS name whose labels may be `${HOSTNAME}` or `${POD_NAMESPACE}`, as a start script spells a pod's own name: the shell expands nothing else. */
export const ANNOUNCE_HOST =
    /^(\$\{(HOSTNAME|POD_NAMESPACE)\}|[a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.(\$\{(HOSTNAME|POD_NAMESPACE)\}|[a-z0-9]([a-z0-9-]*[a-z0-9])?))*$/;

/** The syntax of an image reference: `[registry[:port]/]path[:tag][@sha256:digest]`, lowercase path. */
export const IMAGE_REFERENCE = /^[a-z0-9]+([._/:-][a-z0-9]+|__[a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** The tag and digest of an image reference (a registry's port is not a tag). */
export function imageTagAndDigest(ref: string): { tag?: string; digest?: string } {
    const [name, digest] = ref.split("@");
    const last = name.split("/").pop() ?? "";
    return { tag: last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined, digest };
}
