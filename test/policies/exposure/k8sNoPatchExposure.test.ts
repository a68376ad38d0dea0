import { k8sNoPatchExposureCase } from "./k8sNoPatchExposure.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sNoPatchExposureCase);
