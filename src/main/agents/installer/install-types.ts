/** The installer's contract with the rest of the hub (catalog, planner, REST). */

export interface InstallRequest {
  /** npm specs: `name`, `name@version`, `@scope/name@range`. */
  packages: string[];
  /** Who needs them (shown in progress and logs). */
  agent?: string;
  recipe?: string;
  /**
   * The user asked for exactly these packages (a REST call, a spawn from the dashboard): they are
   * added to the allowlist. Never set for requests that come from LLM output.
   */
  approvedByUser?: boolean;
}

export interface InstalledPackage {
  name: string;
  version: string;
}

export type InstallOutcome =
  | { status: 'installed'; job_id: string; packages: string[]; installed: InstalledPackage[]; duration_s: number; message: string }
  | { status: 'needs_approval'; packages: string[]; message: string }
  | { status: 'failed'; job_id: string; packages: string[]; error: string; duration_s: number; message: string };

export interface PackageInstaller {
  install(req: InstallRequest): Promise<InstallOutcome>;
}
