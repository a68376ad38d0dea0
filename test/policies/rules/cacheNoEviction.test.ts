import { cacheNoEvictionCase } from "../cases/cacheNoEviction";
import { policyCaseTests } from "../caseTests";

policyCaseTests(cacheNoEvictionCase);
