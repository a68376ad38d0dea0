import { requireAuthAndHardeningCase } from "../cases/requireAuthAndHardening";
import { policyCaseTests } from "../caseTests";

policyCaseTests(requireAuthAndHardeningCase);
