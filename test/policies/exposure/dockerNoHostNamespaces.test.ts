import { dockerNoHostNamespacesCase } from "./dockerNoHostNamespaces.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerNoHostNamespacesCase);
