import { k8sNoIngressRouteCase } from "../cases/k8sNoIngressRoute";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sNoIngressRouteCase);
