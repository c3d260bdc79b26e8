// Types of long-running.mjs (plain JavaScript: bin/kairos.js loads it before tsx or the build)

/** the allocator settings a long-running command gets (when none of them is set already) */
export declare const ALLOCATOR_ENV: Readonly<Record<string, string>>;
/** the environment variable that tells a relaunched process which descriptor is its launcher's pipe */
export declare const LAUNCHER_FD_ENV: string;
/** the commands that have long-running forms (bin/kairos.js loads the module only for these) */
export declare const LONG_RUNNING_COMMANDS: readonly string[];
/** True for the commands that run until stopped (trade start/resume, bot start/resume, serve, worker, mcp, sim, alerts listen) */
export declare function isLongRunning(args: readonly string[]): boolean;
/** `env` with the allocator settings, or undefined when any of them is set already */
export declare function longRunningEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv | undefined;
/** Runs `script` again as a child with `env` and mirrors it (signals, exit code); never returns */
export declare function relaunch(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<never>;
/** In a relaunched process: SIGKILL itself as soon as the launcher is gone */
export declare function watchLauncher(): void;
