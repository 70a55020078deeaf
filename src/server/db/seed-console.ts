import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { SeedAccount } from "./seed";

/**
 * Prints the seeded sign-ins for the person running `npm run dev` (the plan asks for a printed admin sign-in). A
 * generated password is shown once and kept in <DATA_DIR>/seed-credentials.json (git-ignored, mode 600) so later
 * starts can point to it; it never goes through the JSON logger.
 */
export function printSeedAccounts(accounts: SeedAccount[], dataDir: string): void {
  const file = credentialsFile(dataDir);
  const generated = accounts.filter((a) => a.generated && a.created);
  if (generated.length > 0) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify(
        generated.map(({ email, password, role }) => ({ role, email, password })),
        null,
        2,
      ),
    );
    chmodSync(file, 0o600);
  }
  console.log("\n  Demo sign-in (embedded default)");
  for (const a of accounts) {
    const shown = !a.created
      ? "(existing account, password unchanged)"
      : a.generated
        ? a.password
        : "(password from SEED_*_PASSWORD)";
    console.log(`    ${a.role.padEnd(5)}  ${a.email}  ${shown}`);
  }
  if (generated.length > 0) console.log(`    saved to ${file}\n`);
}

export function printSavedAccounts(dataDir: string): void {
  const file = credentialsFile(dataDir);
  if (!existsSync(file)) return;
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { role: string; email: string; password: string }[];
    console.log("\n  Demo sign-in (embedded default)");
    for (const a of saved) console.log(`    ${a.role.padEnd(5)}  ${a.email}  ${a.password}`);
    console.log(`    from ${file}\n`);
  } catch {
    console.warn(`  Could not read ${file}; run POST /api/dev/reset to seed new demo accounts.`);
  }
}

function credentialsFile(dataDir: string): string {
  return path.resolve(dataDir, "seed-credentials.json");
}
