import { defaultUserFullAccessCase } from "../cases/defaultUserFullAccess";
import { policyCaseTests } from "../caseTests";

policyCaseTests(defaultUserFullAccessCase);
