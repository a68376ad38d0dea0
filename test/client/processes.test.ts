import { clientProcessesSuite } from "../../harness/suites/clientProcessesSuite";
import { startRedisUnderTest } from "../../harness/client/redisUnderTest";

clientProcessesSuite("a local redis-server started from the rendered config", startRedisUnderTest);
