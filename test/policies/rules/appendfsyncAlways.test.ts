import { appendfsyncAlwaysCase } from "../cases/appendfsyncAlways";
import { policyCaseTests } from "../caseTests";

policyCaseTests(appendfsyncAlwaysCase);
