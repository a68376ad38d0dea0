import { k8sPodHardeningCase } from "./k8sPodHardening.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sPodHardeningCase);
