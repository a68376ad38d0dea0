import { cacheNoEvictionCase } from "./cacheNoEviction.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(cacheNoEvictionCase);
