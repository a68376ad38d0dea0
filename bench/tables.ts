// The figures and ratio tables, as markdown: printed at the end of a run and written into the
// README between its bench markers (bench/readme.ts), from the same numbers, so the README shows
// the last full run's results.json and nothing copied by hand.
import type { Relation } from "./figures";

/** A figure as results.json keeps it. */
export interface FigureRow {
    name: string;
    unit: string;
    median: number;
    min: number;
    max: number;
}

/** A ratio as results.json keeps it. */
export interface RatioRow {
    name: string;
    value: number | undefined;
    /** For figures measured in alternation: the middle half (first to third quartile) of the per-round ratios. */
    spread?: [number, number];
    goal: number | undefined;
    relation: Relation;
}

export function fmt(x: number): string {
    return x >= 1000 ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x.toFixed(3);
}

function met({ value, goal, relation }: RatioRow): string {
    if (value === undefined || goal === undefined) return "";
    const ok = relation === "=" ? value === goal : relation === "≤" ? value <= goal : value >= goal;
    return ok ? " (met)" : " (NOT met)";
}

export function figuresTable(figures: readonly FigureRow[]): string {
    const lines = ["| Figure | Median | Min–max | Unit |", "|---|---|---|---|"];
    for (const f of figures) lines.push(`| ${f.name} | ${fmt(f.median)} | ${fmt(f.min)}–${fmt(f.max)} | ${f.unit} |`);
    return lines.join("\n");
}

export function ratiosTable(ratios: readonly RatioRow[]): string {
    const lines = ["| Ratio | Value | Per round, middle half | Goal |", "|---|---|---|---|"];
    for (const r of ratios) {
        const spread = r.spread ? `${fmt(r.spread[0])}–${fmt(r.spread[1])}` : "";
        lines.push(
            `| ${r.name} | ${r.value === undefined ? "n/a" : fmt(r.value)} | ${spread} | ${r.goal === undefined ? "—" : `${r.relation} ${r.goal}`}${met(r)} |`,
        );
    }
    return lines.join("\n");
}
