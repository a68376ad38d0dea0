import { dockerContainerHardeningCase } from "../cases/dockerContainerHardening";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerContainerHardeningCase);
