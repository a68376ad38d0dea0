import { dockerNetworkUnseenCase } from "./dockerNetworkUnseen.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(dockerNetworkUnseenCase);
