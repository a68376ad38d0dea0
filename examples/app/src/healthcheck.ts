// The image's HEALTHCHECK: healthy when the service answers /health, which pings Redis.
import { request } from "node:http";

const port = Number(process.env.PORT ?? 8080);
const probe = request({ host: "127.0.0.1", port, path: "/health", timeout: 2_000 }, (response) => {
    response.resume();
    process.exit(response.statusCode === 200 ? 0 : 1);
});
probe.on("timeout", () => probe.destroy(new Error("timeout")));
probe.on("error", () => process.exit(1));
probe.end();
