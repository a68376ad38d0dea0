import { memoryLimitCase } from "./memoryLimit.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(memoryLimitCase);
