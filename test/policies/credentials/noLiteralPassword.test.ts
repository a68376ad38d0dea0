import { noLiteralPasswordCase } from "./noLiteralPassword.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(noLiteralPasswordCase);
