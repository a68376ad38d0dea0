import { persistenceCase } from "../cases/persistence";
import { policyCaseTests } from "../caseTests";

policyCaseTests(persistenceCase);
