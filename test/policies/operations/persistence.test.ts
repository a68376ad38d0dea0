import { persistenceCase } from "./persistence.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(persistenceCase);
