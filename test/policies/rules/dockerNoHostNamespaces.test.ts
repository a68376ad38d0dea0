import { dockerNoHostNamespacesCase } from "../cases/dockerNoHostNamespaces";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerNoHostNamespacesCase);
