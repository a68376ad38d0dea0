// The syntax of the values the components write and the pack reads back: paths, host names and
// image references. One definition, so that what a component renders is what the pack recognises.

/** An absolute path of letters, digits, `.`, `_`, `-` and `/`: nothing a shell or a config line would read otherwise. */
export const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]+$/;

/** A DNS name or an IP address: letters, digits, `.` and `-`, at most 253 characters, starting and ending alphanumeric. */
export const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/** The syntax of an image reference: `[registry[:port]/]path[:tag][@sha256:digest]`, lowercase path. */
export const IMAGE_REFERENCE = /^[a-z0-9]+([._/:-][a-z0-9]+|__[a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** The tag and digest of an image reference (a registry's port is not a tag). */
export function imageTagAndDigest(ref: string): { tag?: string; digest?: string } {
    const [name, digest] = ref.split("@");
    const last = name.split("/").pop() ?? "";
    return { tag: last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined, digest };
}
