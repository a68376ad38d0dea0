import { configUnseenCase } from "./configUnseen.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(configUnseenCase);
