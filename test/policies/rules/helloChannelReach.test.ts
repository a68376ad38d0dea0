import { helloChannelReachCase } from "../cases/helloChannelReach";
import { policyCaseTests } from "../caseTests";

policyCaseTests(helloChannelReachCase);
