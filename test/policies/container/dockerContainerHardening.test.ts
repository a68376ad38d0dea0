import { dockerContainerHardeningCase } from "./dockerContainerHardening.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerContainerHardeningCase);
