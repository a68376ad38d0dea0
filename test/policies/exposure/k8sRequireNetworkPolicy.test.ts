import { k8sRequireNetworkPolicyCase } from "./k8sRequireNetworkPolicy.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sRequireNetworkPolicyCase);
