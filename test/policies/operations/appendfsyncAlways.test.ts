import { appendfsyncAlwaysCase } from "./appendfsyncAlways.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(appendfsyncAlwaysCase);
