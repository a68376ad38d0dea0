import { k8sPodHardeningCase } from "../cases/k8sPodHardening";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sPodHardeningCase);
