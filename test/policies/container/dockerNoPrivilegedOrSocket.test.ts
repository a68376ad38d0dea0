import { dockerNoPrivilegedOrSocketCase } from "./dockerNoPrivilegedOrSocket.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerNoPrivilegedOrSocketCase);
