import { noLiteralPasswordCase } from "../cases/noLiteralPassword";
import { policyCaseTests } from "../caseTests";

policyCaseTests(noLiteralPasswordCase);
