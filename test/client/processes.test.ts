import { clientProcessesSuite } from "../support/clientProcessesSuite";
import { startRedisUnderTest } from "../support/redisUnderTest";

clientProcessesSuite("a local redis-server started from the rendered config", startRedisUnderTest);
