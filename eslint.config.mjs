import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

// Which room may import which (README, "Layout"). ESLint keeps the last setting of a rule for a
// file, so each room lists everything it may not import.
const forbid = {
    pulumi: { group: ["@pulumi/*"], message: "redis/ and client/ are plain TypeScript: Pulumi belongs in platforms/." },
    platforms: { regex: "(^|/)platforms(/|$)", message: "Only index.ts and platforms/ itself use the components' wiring." },
    client: { regex: "(^|/)client(/|$)", message: "The components do not depend on hardened-redis/client." },
    packInside: {
        regex: "(^|/)policies/(?!shared/)",
        message: "redis-guard is published on its own: outside it, import only policies/shared/.",
    },
    outsidePack: {
        regex: "(^|/)(redis|platforms|client|harness|test|bench)(/|$)",
        message: "redis-guard is built and published on its own: it imports nothing outside policies/.",
    },
    tests: { regex: "(^|/)(harness|test|bench)(/|$)", message: "Shipped code does not import tests, the harness or the bench." },
};
const room = (files, ...rules) => ({ files, rules: { "no-restricted-imports": ["error", { patterns: rules }] } });

export default tseslint.config(
    {
        ignores: [
            "dist/",
            "dist-bench/",
            "node_modules/",
            "**/*.js",
            "**/*.mjs",
            "**/*.mts",
            "**/*.cjs",
            "policies/node_modules/",
            "policies/bin/",
            // Type-checked inside the consumer project the package test creates; here "hardened-redis" does not resolve.
            "test/package/consumer/",
            "examples/app/node_modules/",
            "examples/app/vendor/",
            "examples/app/dist/",
        ],
    },
    eslint.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
    {
        // examples/app has a tsconfig of its own for its image build, where hardened-redis comes
        // from vendor/; linted here against the root one, which maps hardened-redis/client to ./client.
        files: ["examples/app/**/*.ts"],
        languageOptions: { parserOptions: { projectService: false, project: "./tsconfig.json" } },
    },
    {
        // Policies read untyped engine JSON, defensively and field by field through `known()`
        // (an unknown value at preview throws on access); typing every provider shape would
        // not make those reads any safer.
        files: ["policies/**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-return": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-call": "off",
        },
    },
    room(["redis/**/*.ts"], forbid.pulumi, forbid.platforms, forbid.client, forbid.packInside, forbid.tests),
    room(["client/**/*.ts"], forbid.pulumi, forbid.platforms, forbid.packInside, forbid.tests),
    room(["platforms/**/*.ts", "index.ts"], forbid.client, forbid.packInside, forbid.tests),
    room(["policies/**/*.ts"], forbid.outsidePack),
    {
        // expect.any() and friends are typed `any` by design.
        files: ["test/**/*.ts", "harness/**/*.ts"],
        rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
    },
);
