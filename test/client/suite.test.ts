import { clientSuite } from "../support/clientSuite";
import { startRedisUnderTest } from "../support/redisUnderTest";

clientSuite("a local redis-server started from the rendered config", startRedisUnderTest);
