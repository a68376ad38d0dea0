import { dockerNoPrivilegedOrSocketCase } from "../cases/dockerNoPrivilegedOrSocket";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerNoPrivilegedOrSocketCase);
