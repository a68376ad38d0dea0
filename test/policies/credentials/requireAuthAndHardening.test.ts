import { requireAuthAndHardeningCase } from "./requireAuthAndHardening.cases";
import { policyCaseTests } from "../caseTests";

policyCaseTests(requireAuthAndHardeningCase);
