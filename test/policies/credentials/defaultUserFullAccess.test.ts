import { defaultUserFullAccessCase } from "./defaultUserFullAccess.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(defaultUserFullAccessCase);
