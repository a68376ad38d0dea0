import { k8sNoIngressRouteCase } from "./k8sNoIngressRoute.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(k8sNoIngressRouteCase);
