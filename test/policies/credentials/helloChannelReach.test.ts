import { helloChannelReachCase } from "./helloChannelReach.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(helloChannelReachCase);
