import { clientSuite } from "../../harness/suites/clientSuite";
import { startRedisUnderTest } from "../../harness/client/redisUnderTest";

clientSuite("a local redis-server started from the rendered config", startRedisUnderTest);
