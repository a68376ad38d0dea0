// Which ioredis major the client suites run on. ioredis 6 is the package `ioredis`; ioredis 5
// is installed beside it under the npm alias `ioredis5`. Inside the test process the vitest
// config aliases `ioredis` for the ioredis5 project; plain Node processes the suites fork
// (which run the built package) call register() to get the same mapping.
"use strict";

const ENV = "HARDENED_REDIS_TEST_IOREDIS";

/** The package installed for each major, and the protocol it negotiates with Redis 7 by default. */
const MAJORS = {
    ioredis: { major: 6, resp: 3 },
    ioredis5: { major: 5, resp: 2 },
};

function packageUnderTest() {
    const name = process.env[ENV] || "ioredis";
    if (!(name in MAJORS)) throw new Error(`${ENV}=${name}: expected one of ${Object.keys(MAJORS).join(", ")}`);
    return name;
}

/** Makes require("ioredis") load the package under test in this process. */
function register() {
    const target = packageUnderTest();
    if (target === "ioredis") return;
    const Module = require("node:module");
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
        return resolve.call(this, request === "ioredis" ? target : request, ...rest);
    };
}

module.exports = { ENV, MAJORS, packageUnderTest, register };
