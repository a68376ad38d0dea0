import { tlsInTransitCase } from "../cases/tlsInTransit";
import { policyCaseTests } from "../caseTests";

policyCaseTests(tlsInTransitCase);
