import { afterEach } from "vitest";
import { clock } from "@/lib/clock";
import { resetConfigForTests } from "@/lib/env";
import { scrubConfigEnv } from "../helpers/env";

// Every integration file starts from a blank configuration (the embedded default) and the system clock.
scrubConfigEnv();

afterEach(() => {
  clock.reset();
  resetConfigForTests();
});
