import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

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
    {
        // expect.any() and friends are typed `any` by design.
        files: ["test/**/*.ts", "harness/**/*.ts"],
        rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
    },
);
