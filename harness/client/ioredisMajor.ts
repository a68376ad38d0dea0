// Typed access, for the suites, to the ioredis-under-test facts in ioredisUnderTest.cjs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const underTest = require("./ioredisUnderTest.cjs") as {
    MAJORS: Record<string, { major: number; resp: number }>;
    packageUnderTest(): string;
};

/** The RESP version a client of the ioredis major under test negotiates with Redis 7. */
export function expectedResp(): number {
    return underTest.MAJORS[underTest.packageUnderTest()].resp;
}

/** The ioredis major under test (5 or 6). */
export function ioredisMajor(): number {
    return underTest.MAJORS[underTest.packageUnderTest()].major;
}
