import { memoryLimitCase } from "../cases/memoryLimit";
import { policyCaseTests } from "../caseTests";

policyCaseTests(memoryLimitCase);
