import { k8sRequireNetworkPolicyCase } from "../cases/k8sRequireNetworkPolicy";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sRequireNetworkPolicyCase);
