// Kubernetes label syntax (kubernetes.io/docs/concepts/overview/working-with-objects/labels), for the
// label keys and values the components take: the client label, namespace and scraper selectors.
import { z } from "zod";
import { DNS_LABEL } from "../../redis/container";

const LABEL_KEY_ALLOWED =
    "a label key: an optional DNS-subdomain prefix and '/', then 1-63 letters, digits, '-', '_' or '.', starting and ending alphanumeric";
const LABEL_VALUE_ALLOWED = "a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric";
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Whether `key` is a label key: `[prefix/]name`, the prefix a DNS subdomain. */
export function isLabelKey(key: string): boolean {
    const parts = key.split("/");
    if (parts.length > 2) return false;
    const [prefix, labelName] = parts.length === 2 ? parts : [undefined, parts[0]];
    const prefixOk = prefix === undefined || (prefix.length <= 253 && prefix.split(".").every((p) => DNS_LABEL.test(p)));
    return prefixOk && LABEL_NAME.test(labelName);
}

export const labelKey = z.string({ error: LABEL_KEY_ALLOWED }).refine(isLabelKey, { error: LABEL_KEY_ALLOWED });
/** A label value; empty is a value Kubernetes accepts (and a selector can match). */
export const labelValue = z
    .string({ error: LABEL_VALUE_ALLOWED })
    .refine((v) => v === "" || LABEL_NAME.test(v), { error: LABEL_VALUE_ALLOWED });
/** Labels or a selector's `matchLabels`. */
export const labelMap = z.record(labelKey, labelValue, { error: "a map of label keys to label values" });
